"""Setting a goal: who may, what is refused and why, and the record every change leaves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from revloop.core.append_only import AppendOnlyError
from revloop.core.errors import ForbiddenError
from revloop.engine.vocabulary import Role
from revloop.goals.actions import GoalInvalid, do_set_goal
from revloop.goals.models import Goal, GoalChange
from revloop.users.models import User
from tests import factories

NOW = datetime(2027, 2, 15, 12, tzinfo=UTC)


def _revenue(by: User | None, target: str = "USD 30,000") -> tuple[Goal, bool]:
    return do_set_goal(
        team="sales", metric="revenue_won", period="2027-Q1", target=target, by=by, now=NOW
    )


def test_a_sales_manager_sets_a_quota(manager: User) -> None:
    goal, created = _revenue(manager)
    assert created
    assert (goal.team, goal.metric, goal.period.label) == ("sales", "revenue_won", "2027-Q1")
    assert (goal.target, goal.currency) == (Decimal("30000.00"), "USD")
    assert goal.created_by == manager


@pytest.mark.parametrize("persona", ["rep", "viewer", "marketer", "outsider"])
def test_reps_viewers_and_marketers_who_manage_no_one_may_not(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(ForbiddenError, match="may not set this team's goals"):
        _revenue(user)
    assert not Goal.objects.exists()


def test_a_marketer_who_manages_others_sets_marketings_goals_only(
    make_user: Callable[..., User],
) -> None:
    head = make_user("hana", Role.MARKETING)
    make_user("ivo", Role.MARKETING, manager=head)
    goal, _ = do_set_goal(
        team="marketing", metric="new_leads", period="2027-Q1", target="500", by=head, now=NOW
    )
    assert goal.target == 500
    with pytest.raises(ForbiddenError):
        _revenue(head)


def test_setting_it_again_changes_the_target_and_keeps_the_old_one(manager: User) -> None:
    first, _ = _revenue(manager)
    again, created = _revenue(manager, "45000")
    assert not created
    assert again.pk == first.pk
    assert Goal.objects.get().target == Decimal("45000.00")
    changes = list(GoalChange.objects.values_list("old_target", "target"))
    assert changes == [(None, Decimal("30000.00")), (Decimal("30000.00"), Decimal("45000.00"))]


def test_a_goal_that_is_not_smart_is_refused_with_every_reason(manager: User) -> None:
    with pytest.raises(GoalInvalid) as refused:
        do_set_goal(
            team="sales", metric="happiness", period="2026-Q3", target="lots", by=manager, now=NOW
        )
    reasons = " | ".join(refused.value.reasons)
    assert "metric: 'happiness' is not in the catalogue" in reasons
    assert "period: 2026-Q3 has already ended" in reasons
    assert refused.value.status == 400
    assert not Goal.objects.exists()


def test_a_relative_target_grows_on_the_previous_quarter(manager: User) -> None:
    for day in (3, 10, 20, 28):
        factories.person(created_at=datetime(2026, 11, day, tzinfo=UTC))
    factories.person(created_at=datetime(2026, 9, 30, tzinfo=UTC))  # before 2026-Q4
    goal, _ = do_set_goal(
        team="marketing", metric="new_leads", period="2027-Q1", target="+50%", by=manager, now=NOW
    )
    assert (goal.baseline, goal.baseline_value, goal.change) == ("previous", 4, Decimal("0.5"))
    assert goal.target == 6


def test_a_relative_target_needs_a_baseline_that_has_ended_and_had_something(
    manager: User,
) -> None:
    with pytest.raises(GoalInvalid, match="2027-Q1 has not ended"):
        do_set_goal(
            team="marketing", metric="mqls", period="2027-Q2", target="+10%", by=manager, now=NOW
        )
    with pytest.raises(GoalInvalid, match="previous period had no mqls"):
        do_set_goal(
            team="marketing", metric="mqls", period="2027-Q1", target="+10%", by=manager, now=NOW
        )


def test_a_group_goal_names_a_team_of_reps_that_exists(
    manager: User, make_user: Callable[..., User]
) -> None:
    with pytest.raises(GoalInvalid, match="no user is in team 'EMEA'"):
        do_set_goal(
            team="group",
            group="EMEA",
            metric="win_rate",
            period="2027-Q1",
            target="30%",
            by=manager,
            now=NOW,
        )
    make_user("lena", Role.SALES_REP, team="EMEA")
    goal, _ = do_set_goal(
        team="group",
        group="EMEA",
        metric="win_rate",
        period="2027-Q1",
        target="30%",
        by=manager,
        now=NOW,
    )
    assert (goal.owner_label, goal.target) == ("EMEA", Decimal("0.3"))


def test_the_record_of_a_change_cannot_be_rewritten(manager: User) -> None:
    _revenue(manager)
    change = GoalChange.objects.get()
    change.target = Decimal(1)
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        GoalChange.objects.update(target=Decimal(1))
    with connection.cursor() as cursor, pytest.raises(DatabaseError), transaction.atomic():
        cursor.execute("UPDATE goals_goalchange SET target = 1")
