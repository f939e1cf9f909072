"""Pacing on hand-made histories: what is expected by now, where the period will end,
and whether the team is ahead, on track, at risk or behind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.goals import METRICS, DailySeries, Period, check_goal, pace

Q1 = Period.quarter(2027, 1)  # 90 days
MID_Q1 = datetime(2027, 2, 15, tzinfo=UTC)  # 45 days gone


def _daily(start: date, end: date, per_day: float, *, size: float = 1.0) -> dict:
    days = (end - start).days
    return {
        start + timedelta(days=i): (per_day * size, per_day, per_day * size * size)
        for i in range(days)
    }


def _series(start: date, end: date, rows: dict) -> DailySeries:
    return DailySeries.of(start, (end - start).days, rows)


def test_with_no_past_the_pace_is_linear_and_the_forecast_is_the_run_rate() -> None:
    history = _series(Q1.start, MID_Q1.date(), _daily(Q1.start, MID_Q1.date(), 10))
    found = pace(METRICS["new_leads"], 1000, Q1, MID_Q1, history)
    assert found.method == "linear"
    assert found.actual == 450
    assert found.expected == pytest.approx(500)
    assert found.forecast == pytest.approx(900)
    # 450 more leads as a Poisson count: sd √450 ≈ 21, so 1000 is out of reach.
    assert found.high == pytest.approx(900 + 1.6449 * 450**0.5, rel=1e-3)
    assert found.status == "behind"


def test_ahead_when_even_the_pessimistic_end_reaches_the_target() -> None:
    history = _series(Q1.start, MID_Q1.date(), _daily(Q1.start, MID_Q1.date(), 10))
    assert pace(METRICS["new_leads"], 800, Q1, MID_Q1, history).status == "ahead"
    assert pace(METRICS["new_leads"], 890, Q1, MID_Q1, history).status == "on_track"
    assert pace(METRICS["new_leads"], 920, Q1, MID_Q1, history).status == "at_risk"


def test_a_back_loaded_past_makes_an_empty_first_half_on_track() -> None:
    # Every quarter of 2026 brought all its leads in its second half, 20 a day.
    rows: dict = {}
    for quarter in Q1.preceding_year():
        half = quarter.start + timedelta(days=quarter.days // 2)
        rows |= _daily(half, quarter.end, 20)
    start = Q1.start.replace(year=2026)
    history = _series(start, MID_Q1.date(), rows)
    found = pace(METRICS["new_leads"], 850, Q1, MID_Q1, history)
    assert found.method == "seasonal"
    assert found.actual == 0
    # Quarters of 91 and 92 days had begun their second half by the same share of days.
    assert found.expected < 0.01 * 850
    # Nothing of this period is known yet, so the past year's daily rate carries it.
    past_total = sum(v for v, _, _ in rows.values())
    assert found.forecast == pytest.approx(past_total / 365 * 90, rel=0.01)
    assert found.status == "on_track"
    linear = pace(METRICS["new_leads"], 850, Q1, MID_Q1, _series(Q1.start, MID_Q1.date(), {}))
    assert linear.method == "linear"
    assert linear.expected == pytest.approx(425)


def test_a_period_that_has_not_started_is_forecast_from_the_past_year() -> None:
    as_of = datetime(2026, 12, 5, 12, tzinfo=UTC)
    start = date(2025, 12, 1)
    history = _series(start, as_of.date(), _daily(start, as_of.date(), 5))
    found = pace(METRICS["new_leads"], 400, Q1, as_of, history)
    assert not found.started
    assert (found.actual, found.expected, found.elapsed_share) == (0, 0, 0)
    assert found.forecast == pytest.approx(450)
    assert found.status == "ahead"


def test_a_relative_target_is_paced_against_the_previous_period_plus_ten_percent() -> None:
    goal = check_goal(
        team="marketing", metric="new_leads", period=Q1, target="+10%", today=date(2026, 12, 1)
    )
    previous = Q1.previous()
    rows = _daily(previous.start, previous.end, 10)  # 920 leads in 2026-Q4
    baseline = Decimal(sum(int(v) for d, (v, _, _) in rows.items() if previous.contains(d)))
    target = goal.with_target(baseline)
    assert target == Decimal(1012)
    rows |= _daily(Q1.start, MID_Q1.date(), 12)
    history = _series(previous.start, MID_Q1.date(), rows)
    found = pace(goal.metric, float(target), Q1, MID_Q1, history)
    assert found.actual == 540
    assert found.expected == pytest.approx(506)
    assert found.status in ("on_track", "ahead")


def test_a_rate_is_expected_at_its_target_and_forecast_from_its_trials() -> None:
    # 40 decided opportunities so far, 10 won: a 25% win rate against a 30% goal.
    rows = {Q1.start + timedelta(days=i): (1.0 if i % 4 == 0 else 0.0, 1.0, 0.0) for i in range(40)}
    history = _series(Q1.start, MID_Q1.date(), rows)
    found = pace(METRICS["win_rate"], 0.30, Q1, MID_Q1, history)
    assert found.actual == pytest.approx(0.25)
    assert found.expected == 0.30
    assert found.forecast == pytest.approx(0.25)
    assert found.low < 0.25 < found.high <= 1
    assert found.status == "at_risk"


def test_a_shorter_sales_cycle_is_better() -> None:
    # Ten wins so far, each after 40 days: a 45-day goal is met, a 30-day one is not.
    rows = {Q1.start + timedelta(days=i): (40.0, 1.0, 1600.0) for i in range(10)}
    history = _series(Q1.start, MID_Q1.date(), rows)
    assert pace(METRICS["sales_cycle"], 45, Q1, MID_Q1, history).status == "ahead"
    assert pace(METRICS["sales_cycle"], 30, Q1, MID_Q1, history).status == "behind"


def test_an_ended_period_is_its_actual() -> None:
    history = _series(Q1.start, Q1.end, _daily(Q1.start, Q1.end, 3, size=100.0))
    found = pace(METRICS["revenue_won"], 20_000, Q1, datetime(2027, 5, 1, tzinfo=UTC), history)
    assert found.forecast == found.actual == pytest.approx(27_000)
    assert found.status == "ahead"


@given(
    per_day=st.lists(st.integers(0, 50), min_size=1, max_size=90),
    target=st.integers(1, 5000),
    past_rate=st.none() | st.integers(0, 40),
)
def test_the_forecast_sits_in_its_interval_and_the_status_follows_it(
    per_day: list[int], target: int, past_rate: int | None
) -> None:
    rows = {
        Q1.start + timedelta(days=i): (float(n), float(n), float(n)) for i, n in enumerate(per_day)
    }
    start = Q1.start
    if past_rate is not None:
        start = Q1.start - timedelta(days=365)
        rows |= _daily(start, Q1.start, past_rate)
    as_of = datetime.combine(Q1.start, datetime.min.time(), tzinfo=UTC) + timedelta(
        days=len(per_day)
    )
    found = pace(METRICS["new_leads"], target, Q1, as_of, _series(start, as_of.date(), rows))
    assert found.actual == sum(per_day)
    if found.forecast is None:
        return
    assert found.actual <= found.low <= found.forecast <= found.high
    expected = (
        "ahead"
        if found.low >= target
        else "on_track"
        if found.forecast >= target
        else "at_risk"
        if found.high >= target
        else "behind"
    )
    assert found.status == expected
