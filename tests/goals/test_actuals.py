"""Each metric's actual to date, read from the database rows it counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from revloop.engine.vocabulary import Role
from revloop.goals.actions import do_set_goal
from revloop.goals.progress import goal_progress
from revloop.users.models import User
from tests import factories

NOW = datetime(2027, 2, 15, 12, tzinfo=UTC)


def _day(month: int, day: int) -> datetime:
    return datetime(2027, month, day, 10, tzinfo=UTC)


def _progress(manager: User, metric: str, target: str, **fields: str) -> dict:
    goal, _ = do_set_goal(
        team=fields.pop("team", "sales"),
        metric=metric,
        period="2027-Q1",
        target=target,
        by=manager,
        now=NOW,
        **fields,
    )
    return goal_progress(goal, NOW)


def test_new_leads_count_people_created_in_the_period_so_far(manager: User) -> None:
    for when in (_day(1, 3), _day(1, 20), _day(2, 14)):
        factories.person(created_at=when)
    factories.person(created_at=datetime(2026, 12, 31, 23, tzinfo=UTC))  # the quarter before
    factories.person(created_at=_day(2, 20))  # after now: not yet counted
    found = _progress(manager, "new_leads", "10", team="marketing")
    assert found["actual"] == 3
    assert found["started"]
    assert found["expected"] == round(10 * found["elapsed_share"], 1)
    assert found["status"] in ("ahead", "on_track", "at_risk", "behind")


def test_mqls_and_the_acceptance_rate_count_transitions(manager: User, rep: User) -> None:
    people = [factories.person() for _ in range(4)]
    for subject in people:
        factories.transition(subject, from_stage="lead", to_stage="mql", at=_day(1, 5))
    factories.transition(people[0], from_stage="mql", to_stage="sal", at=_day(1, 6), by_user=rep)
    factories.transition(people[1], from_stage="mql", to_stage="sal", at=_day(1, 7), by_user=rep)
    factories.transition(
        people[2], from_stage="mql", to_stage="recycled", at=_day(1, 8), by_user=rep
    )
    # Sent back by a rule, not by Sales: not a rejection.
    factories.transition(people[3], from_stage="mql", to_stage="disqualified", at=_day(1, 9))
    assert _progress(manager, "mqls", "40", team="marketing")["actual"] == 4
    acceptance = _progress(manager, "sal_acceptance_rate", "50%", team="marketing")
    assert acceptance["actual"] == round(2 / 3, 4)
    assert acceptance["expected"] == 0.5


def test_pipeline_and_revenue_are_money_in_the_goals_currency(manager: User) -> None:
    factories.opportunity(amount=Decimal("1000.10"), created_at=_day(1, 4))
    factories.opportunity(amount=Decimal("2500.00"), created_at=_day(2, 1))
    factories.opportunity(amount=Decimal("9999.00"), created_at=_day(2, 1), currency="EUR")
    factories.opportunity(
        amount=Decimal("4000.00"), stage="won", created_at=_day(1, 2), closed_at=_day(2, 2)
    )
    pipeline = _progress(manager, "pipeline_created", "USD 20000")
    assert pipeline["actual"] == Decimal("7500.10")
    assert pipeline["currency"] == "USD"
    revenue = _progress(manager, "revenue_won", "10000")
    assert revenue["actual"] == Decimal("4000.00")
    assert isinstance(revenue["forecast"], Decimal)


def test_win_rate_and_sales_cycle_of_the_deals_closed(manager: User) -> None:
    for days, stage in ((30, "won"), (40, "won"), (10, "lost"), (20, "lost")):
        factories.opportunity(
            stage=stage, created_at=_day(1, 1), closed_at=_day(1, 1) + timedelta(days=days)
        )
    assert _progress(manager, "win_rate", "40%")["actual"] == 0.5
    cycle = _progress(manager, "sales_cycle", "30")
    assert cycle["actual"] == 35.0
    assert cycle["status"] in ("at_risk", "behind")


def test_a_group_goal_counts_only_its_reps_deals(manager: User, make_user) -> None:
    lena = make_user("lena", Role.SALES_REP, team="EMEA")
    tom = make_user("tom", Role.SALES_REP, team="NA")
    factories.opportunity(amount=Decimal(700), owner=lena, created_at=_day(1, 10))
    factories.opportunity(amount=Decimal(900), owner=tom, created_at=_day(1, 10))
    found = _progress(manager, "pipeline_created", "5000", team="group", group="EMEA")
    assert found["actual"] == Decimal("700.00")
    assert found["owner"] == "EMEA"


def test_a_goal_for_a_period_not_started_has_nothing_yet(manager: User) -> None:
    goal, _ = do_set_goal(
        team="marketing", metric="new_leads", period="2027-Q2", target="100", by=manager, now=NOW
    )
    found = goal_progress(goal, NOW)
    assert (found["started"], found["actual"], found["expected"]) == (False, 0, 0)
