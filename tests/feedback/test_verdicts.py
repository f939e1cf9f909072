"""Accept, reject and disqualify from the inbox: the owner's call, with the contract's reasons."""

from __future__ import annotations

import pytest

from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.feedback.actions import do_give_verdict
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.users.models import User
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


def stage(person: Person) -> str:
    return Person.objects.get(pk=person.pk).stage


def test_the_owner_accepts_and_the_move_is_recorded(team: Team) -> None:
    record = do_give_verdict(team.rep, team.lead, "accept", note="good fit")
    assert (record.from_stage, record.to_stage, record.by_user, record.note) == (
        "mql",
        "sal",
        team.rep,
        "good fit",
    )
    assert stage(team.lead) == "sal"


def test_a_reject_needs_a_reject_reason_and_keeps_it(team: Team) -> None:
    with pytest.raises(InvalidInputError, match="needs a reject reason"):
        do_give_verdict(team.rep, team.lead, "reject")
    with pytest.raises(InvalidInputError, match="'student' is not a reject reason"):
        do_give_verdict(team.rep, team.lead, "reject", "student")
    record = do_give_verdict(team.rep, team.lead, "reject", "misinformed", "expected free shipping")
    assert (record.to_stage, record.reason_code, record.note) == (
        "recycled",
        "misinformed",
        "expected free shipping",
    )


def test_a_student_is_disqualified_with_a_disqualify_reason(team: Team) -> None:
    record = do_give_verdict(team.manager, team.lead, "disqualify", "student")
    assert (record.to_stage, record.reason_code, record.by_user) == (
        "disqualified",
        "student",
        team.manager,
    )


def test_another_rep_may_not_give_a_verdict_on_my_lead(team: Team, marketer: User) -> None:
    for user in (team.other_rep, team.other_manager, marketer):
        with pytest.raises(ForbiddenError):
            do_give_verdict(user, team.lead, "reject", "no_budget")
    assert stage(team.lead) == "mql"
    assert not StageTransition.objects.exists()


def test_an_unknown_verdict_is_refused(team: Team) -> None:
    with pytest.raises(InvalidInputError, match="verdict: 'promote' is not one of"):
        do_give_verdict(team.rep, team.lead, "promote")
