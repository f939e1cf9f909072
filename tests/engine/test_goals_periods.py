"""Goal periods: how they are written, and which period comes before."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.goals import Period, PeriodError, parse_period

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2027-Q1", date(2027, 1, 1), date(2027, 4, 1)),
        ("2027q4", date(2027, 10, 1), date(2028, 1, 1)),
        ("2027-03", date(2027, 3, 1), date(2027, 4, 1)),
        ("2027", date(2027, 1, 1), date(2028, 1, 1)),
        ("next-quarter", date(2027, 1, 1), date(2027, 4, 1)),
        ("this-quarter", date(2026, 10, 1), date(2027, 1, 1)),
        ("next-month", date(2027, 1, 1), date(2027, 2, 1)),
        ("last-year", date(2025, 1, 1), date(2026, 1, 1)),
        ("Q1", date(2027, 1, 1), date(2027, 4, 1)),
        ("Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("2027-01-15..2027-02-28", date(2027, 1, 15), date(2027, 3, 1)),
    ],
)
def test_a_period_is_read_from_how_people_write_it(text: str, start: date, end: date) -> None:
    period = parse_period(text, TODAY)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2027-13", "Q5", "soon", "2027-02-10..2027-01-01", ""])
def test_an_unreadable_period_says_what_is_accepted(text: str) -> None:
    with pytest.raises(PeriodError, match="period"):
        parse_period(text, TODAY)


def test_the_previous_period_and_the_same_one_last_year() -> None:
    q1 = Period.quarter(2027, 1)
    assert q1.previous().label == "2026-Q4"
    assert q1.last_year().label == "2026-Q1"
    assert [p.label for p in q1.preceding_year()] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert Period.month(2027, 1).previous().label == "2026-12"
    leap = Period.custom(date(2028, 2, 29), date(2028, 3, 10))
    assert leap.last_year().start == date(2027, 2, 28)


@given(st.integers(1990, 2100), st.integers(1, 4), st.integers(-20, 20))
def test_quarters_tile_time(year: int, quarter: int, steps: int) -> None:
    period = Period.quarter(year, quarter)
    moved = period.shifted(steps)
    assert moved.kind == "quarter"
    assert moved.shifted(-steps) == period
    assert moved.shifted(1).start == moved.end
    assert parse_period(moved.label, TODAY) == moved
