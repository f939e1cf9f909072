"""A goal is SMART or refused with its reasons: whose, which metric, how much, by when."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from revloop.engine.goals import GoalRefused, Team, check_goal

TODAY = date(2026, 12, 5)


def test_sales_quota_in_a_quarter_is_a_goal() -> None:
    goal = check_goal(
        team="sales", metric="revenue won", period="2027-Q1", target="$30,000", today=TODAY
    )
    assert goal.team is Team.SALES
    assert goal.metric.name == "revenue_won"
    assert (goal.target, goal.currency) == (Decimal("30000.00"), "USD")
    assert goal.period.label == "2027-Q1"


def test_plus_ten_percent_new_leads_is_relative_to_the_previous_period() -> None:
    goal = check_goal(
        team="marketing", metric="new_leads", period="2027-Q1", target="+10%", today=TODAY
    )
    assert (goal.target, goal.change, goal.baseline) == (None, Decimal("0.1"), "previous")
    assert goal.with_target(Decimal(1000)) == Decimal(1100)


def test_a_relative_target_against_last_year_with_nothing_then_is_refused() -> None:
    goal = check_goal(
        team="marketing",
        metric="mqls",
        period="2027-Q1",
        target="+10%",
        baseline="last-year",
        today=TODAY,
    )
    with pytest.raises(GoalRefused, match="same period last year had no mqls"):
        goal.with_target(Decimal(0))


def test_rates_take_percent_or_a_share() -> None:
    for text in ("45%", "0.45"):
        goal = check_goal(
            team="sales", metric="win_rate", period="2027-Q1", target=text, today=TODAY
        )
        assert goal.target == Decimal("0.45")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"team": "everyone"}, "team: 'everyone' is not marketing, sales or group"),
        ({"team": "group"}, "group: name the group of reps"),
        ({"metric": "happiness"}, "metric: 'happiness' is not in the catalogue"),
        ({"metric": "new_leads"}, "metric: New leads is a goal for marketing, not sales"),
        ({"period": ""}, "period: a goal needs a period"),
        ({"period": "2026-Q3"}, "period: 2026-Q3 has already ended"),
        ({"period": "someday"}, "period 'someday'"),
        ({"target": ""}, "target: a goal needs a target"),
        ({"target": "a lot"}, "target: 'a lot' is not an amount"),
        ({"target": "-100%"}, "would leave nothing"),
        ({"metric": "win_rate", "target": "140%"}, "at most 100%"),
        ({"metric": "sales_cycle", "target": "soon"}, "not a number of days"),
    ],
)
def test_a_goal_that_is_not_smart_is_refused_with_the_reason(
    fields: dict[str, str], reason: str
) -> None:
    given = {"team": "sales", "metric": "revenue_won", "period": "2027-Q1", "target": "30000"}
    given.update(fields)
    with pytest.raises(GoalRefused) as refused:
        check_goal(**given, today=TODAY, currency="USD")
    assert any(reason in r for r in refused.value.reasons), refused.value.reasons


def test_every_reason_is_given_at_once() -> None:
    with pytest.raises(GoalRefused) as refused:
        check_goal(team="x", metric="y", period="z", target="", today=TODAY)
    assert len(refused.value.reasons) == 4


def test_a_money_goal_needs_a_currency() -> None:
    with pytest.raises(GoalRefused, match="currency"):
        check_goal(
            team="sales", metric="pipeline_created", period="2027", target="50000", today=TODAY
        )
