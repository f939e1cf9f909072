"""Speed to lead and first-touch compliance, counted from the first real contact attempt."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.sla.speed import FirstTouch, Rate, speed_to_lead

DUE = dt.datetime(2026, 3, 3, 14, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def called(hours_before_due: float, hours: float) -> FirstTouch:
    return FirstTouch(DUE, DUE - hours_before_due * HOUR, hours, breached=False, ended=False)


def test_a_call_by_the_deadline_is_kept_and_counts_towards_speed_to_lead() -> None:
    figures = speed_to_lead([called(3, 1.0), called(1, 3.0)])
    assert (figures.leads, figures.reached, figures.median_hours) == (2, 2, 2.0)
    assert figures.in_time == Rate(2, 2)
    assert figures.in_time.value == 1.0


def test_a_lead_accepted_but_never_called_is_missed_and_not_reached() -> None:
    never_called = FirstTouch(DUE, None, None, breached=True, ended=False)
    figures = speed_to_lead([called(2, 2.0), never_called])
    assert (figures.reached, figures.missed, figures.median_hours) == (1, 1, 2.0)
    assert figures.in_time == Rate(1, 2)


def test_a_late_call_is_reached_but_missed() -> None:
    late = FirstTouch(DUE, DUE + 20 * HOUR, 9.0, breached=True, ended=False)
    figures = speed_to_lead([late])
    assert (figures.reached, figures.missed, figures.median_hours) == (1, 1, 9.0)
    assert figures.in_time == Rate(0, 1)


def test_a_late_call_the_sweep_has_not_seen_is_missed_all_the_same() -> None:
    late = FirstTouch(DUE, DUE + HOUR, 5.0, breached=False, ended=False)
    assert speed_to_lead([late]).in_time == Rate(0, 1)


def test_ended_and_pending_promises_count_neither_way() -> None:
    rejected = FirstTouch(DUE, None, None, breached=False, ended=True)
    waiting = FirstTouch(DUE, None, None, breached=False, ended=False)
    figures = speed_to_lead([rejected, waiting])
    assert (figures.leads, figures.ended, figures.pending) == (2, 1, 1)
    assert figures.in_time == Rate(0, 0)
    assert figures.in_time.value is None
    assert figures.median_hours is None


def test_a_rate_never_counts_more_than_its_base() -> None:
    with pytest.raises(ValueError, match="0 <= 3 <= 2"):
        Rate(3, 2)


_clocks = st.builds(
    FirstTouch,
    due_at=st.just(DUE),
    attempt_at=st.one_of(st.none(), st.integers(-20, 20).map(lambda h: DUE + h * HOUR)),
    attempt_hours=st.floats(0, 200),
    breached=st.booleans(),
    ended=st.booleans(),
)


@given(st.lists(_clocks, max_size=30))
def test_every_promise_is_counted_once(clocks: list[FirstTouch]) -> None:
    figures = speed_to_lead(clocks)
    kept = figures.in_time.numerator
    assert kept + figures.missed + figures.pending + figures.ended == figures.leads
    assert figures.in_time.denominator == kept + figures.missed
    assert figures.reached == sum(c.attempt_at is not None for c in clocks)
