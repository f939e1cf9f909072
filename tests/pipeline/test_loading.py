"""The stored pipeline as the checks read it: the reps' own activity on a deal's people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from revloop.engine.contract import PipelineChecks
from revloop.feedback.models import SalesActivity
from revloop.pipeline.loading import load_pipeline
from revloop.pipeline.models import OpportunityContact
from revloop.users.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def _call(person: object, rep: User, days: int) -> SalesActivity:
    at = factories.T0 + timedelta(days=days)
    return SalesActivity.objects.create(person=person, user=rep, kind="call", at=at, recorded_at=at)


def test_calls_to_a_deals_contacts_count_as_its_activity_and_no_one_elses() -> None:
    rep = User.objects.create(username="rep")
    primary, listed, bystander = (factories.person() for _ in range(3))
    deal = factories.opportunity(primary_contact=primary)
    OpportunityContact.objects.create(opportunity=deal, person=listed, role="champion")
    _call(primary, rep, 1)
    _call(primary, rep, 2)
    _call(listed, rep, 3)
    _call(bystander, rep, 4)

    data, _ = load_pipeline(PipelineChecks(activity_types=()))

    rows = sorted(data.activity.select("person_id", "at").rows())
    assert rows == [
        (primary.pk, factories.T0 + timedelta(days=1)),
        (primary.pk, factories.T0 + timedelta(days=2)),
        (listed.pk, factories.T0 + timedelta(days=3)),
    ]
