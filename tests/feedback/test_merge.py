"""Merging duplicate people keeps Sales' feedback: it moves to the survivor."""

from __future__ import annotations

import pytest

from revloop.feedback.actions import do_add_note, do_log_activity, do_record_heard
from revloop.feedback.models import HeardItem, Note, SalesActivity
from revloop.people.actions import do_merge_people
from tests import factories
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


def test_activities_heard_items_and_notes_move_to_the_survivor(team: Team) -> None:
    duplicate = team.lead
    survivor = factories.person(email="lena.berg@northwind.example", owner=team.rep)
    do_log_activity(team.rep, duplicate, "call")
    do_record_heard(team.rep, duplicate, "objection", "Too pricey")
    do_add_note(team.rep, duplicate, "Prefers email")
    do_merge_people(survivor.pk, [duplicate.pk], by=team.manager)
    for model in (SalesActivity, HeardItem, Note):
        assert list(model.objects.values_list("person_id", flat=True)) == [survivor.pk]
