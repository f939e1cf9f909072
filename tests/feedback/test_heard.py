"""Questions and objections heard, and free notes: kept in the prospect's words."""

from __future__ import annotations

import pytest

from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.feedback.actions import do_add_note, do_record_heard
from revloop.feedback.models import HeardItem
from revloop.pipeline.models import OpportunityContact
from revloop.users.models import User
from tests import factories
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


def test_the_owner_records_an_objection_on_their_deal(team: Team) -> None:
    deal = factories.opportunity(name="Northwind fleet")
    OpportunityContact.objects.create(opportunity=deal, person=team.lead, role="champion")
    item = do_record_heard(
        team.rep,
        team.lead,
        "objection",
        "  Too pricey per vehicle  ",
        topic=" Pricing",
        opportunity=deal,
    )
    assert (item.kind, item.text, item.topic, item.opportunity, item.user) == (
        "objection",
        "Too pricey per vehicle",
        "pricing",
        deal,
        team.rep,
    )


def test_an_opportunity_the_person_is_not_on_is_refused(team: Team) -> None:
    deal = factories.opportunity()
    with pytest.raises(InvalidInputError, match="is not a contact on opportunity"):
        do_record_heard(team.rep, team.lead, "question", "Do you ship to Norway?", opportunity=deal)


def test_empty_text_and_unknown_kind_are_refused(team: Team) -> None:
    with pytest.raises(InvalidInputError, match="text: may not be empty"):
        do_record_heard(team.rep, team.lead, "question", "   ")
    with pytest.raises(InvalidInputError, match="kind: 'rumour' is not one of"):
        do_record_heard(team.rep, team.lead, "rumour", "heard it")


def test_only_who_may_act_records(team: Team, viewer: User) -> None:
    do_record_heard(team.manager, team.lead, "question", "Is there an API?")
    for user in (team.other_rep, viewer):
        with pytest.raises(ForbiddenError):
            do_record_heard(user, team.lead, "question", "Is there an API?")
        with pytest.raises(ForbiddenError):
            do_add_note(user, team.lead, "call back Tuesday")
    assert HeardItem.objects.count() == 1
    assert do_add_note(team.rep, team.lead, "call back Tuesday").text == "call back Tuesday"
