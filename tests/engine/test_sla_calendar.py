"""Business-hours deadlines checked against hand-computed cases.

2026 calendar facts used below: New York springs forward on Sunday 8 March and falls
back on Sunday 1 November; Berlin on Sunday 29 March and Sunday 25 October.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from revloop.engine.contract import default_contract
from revloop.engine.sla import BusinessCalendar, add_business_days

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC

NY = BusinessCalendar("America/New_York")
DE = BusinessCalendar("Europe/Berlin")


def at(zone: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


def test_friday_afternoon_before_spring_forward_ends_monday_morning() -> None:
    """Friday 15:00 EST + 4 h: two hours on Friday, two on Monday (now EDT) → 11:00 EDT."""
    deadline = NY.add(at(NEW_YORK, 2026, 3, 6, 15), hours(4))
    assert deadline == at(NEW_YORK, 2026, 3, 9, 11)
    assert deadline.astimezone(UTC) == dt.datetime(2026, 3, 9, 15, tzinfo=UTC)
    assert deadline.utcoffset() == dt.timedelta(hours=-4)


def test_friday_afternoon_before_fall_back_ends_monday_morning() -> None:
    """Friday 15:00 EDT + 4 h → Monday 11:00 EST, 16:00 UTC."""
    deadline = NY.add(at(NEW_YORK, 2026, 10, 30, 15), hours(4))
    assert deadline.astimezone(UTC) == dt.datetime(2026, 11, 2, 16, tzinfo=UTC)
    assert deadline.utcoffset() == dt.timedelta(hours=-5)


def test_elapsed_business_time_ignores_the_lost_hour() -> None:
    """Friday 09:00 to Monday 17:00 over the spring-forward weekend is two 8 h days,
    though only 79 real hours pass."""
    start, end = at(NEW_YORK, 2026, 3, 6, 9), at(NEW_YORK, 2026, 3, 9, 17)
    assert end.astimezone(UTC) - start.astimezone(UTC) == hours(79)
    assert NY.between(start, end) == hours(16)


def test_berlin_spring_forward_weekend() -> None:
    """Friday 27 March 16:00 CET + 3 h → Monday 30 March 11:00 CEST (09:00 UTC)."""
    deadline = DE.add(at(BERLIN, 2026, 3, 27, 16), hours(3))
    assert deadline.astimezone(UTC) == dt.datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert (deadline.hour, deadline.minute) == (11, 0)


def test_berlin_fall_back_weekend() -> None:
    """Friday 23 October 16:30 CEST + 1 h → Monday 26 October 09:30 CET (08:30 UTC)."""
    deadline = DE.add(at(BERLIN, 2026, 10, 23, 16, 30), hours(1))
    assert deadline.astimezone(UTC) == dt.datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


def test_a_working_day_is_eight_hours_on_the_day_the_clocks_change() -> None:
    """With Sunday a working day, the 23-hour and 25-hour Sundays still hold 8 h."""
    every_day = BusinessCalendar("Europe/Berlin", days=frozenset(range(7)))
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25)):
        start = dt.datetime.combine(day, dt.time(0), tzinfo=BERLIN)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=BERLIN)
        assert every_day.between(start, end) == hours(8)
        assert every_day.add(start, hours(8)) == at(BERLIN, day.year, day.month, day.day, 17)


def test_christmas_holidays_and_the_weekend_are_skipped() -> None:
    """Wednesday 23 December 15:00 + 4 h: 2 h that day, 24/25 are holidays, then the
    weekend, so the deadline is Monday 28 December 11:00."""
    calendar = BusinessCalendar(
        "Europe/Berlin", holidays=frozenset({dt.date(2026, 12, 24), dt.date(2026, 12, 25)})
    )
    assert calendar.add(at(BERLIN, 2026, 12, 23, 15), hours(4)) == at(BERLIN, 2026, 12, 28, 11)
    assert not calendar.is_open(at(BERLIN, 2026, 12, 24, 10))
    assert calendar.next_opening(at(BERLIN, 2026, 12, 24, 10)) == at(BERLIN, 2026, 12, 28, 9)


def test_a_monday_holiday_pushes_the_deadline_to_tuesday() -> None:
    """Labor Day (Monday 7 September): Friday 16:00 + 2 h → Tuesday 10:00."""
    calendar = BusinessCalendar("America/New_York", holidays=frozenset({dt.date(2026, 9, 7)}))
    assert calendar.add(at(NEW_YORK, 2026, 9, 4, 16), hours(2)) == at(NEW_YORK, 2026, 9, 8, 10)


def test_a_clock_started_in_the_evening_starts_at_the_next_opening() -> None:
    """Tuesday 20:00 + 1 h → Wednesday 10:00."""
    start = at(NEW_YORK, 2026, 6, 2, 20)
    assert not NY.is_open(start)
    assert NY.next_opening(start) == at(NEW_YORK, 2026, 6, 3, 9)
    assert NY.add(start, hours(1)) == at(NEW_YORK, 2026, 6, 3, 10)


def test_a_clock_started_on_saturday_starts_on_monday() -> None:
    """Saturday 11:00 + 3 h 30 → Monday 12:30."""
    assert NY.add(at(NEW_YORK, 2026, 6, 6, 11), hours(3.5)) == at(NEW_YORK, 2026, 6, 8, 12, 30)


def test_closing_time_is_closed_but_can_be_a_deadline() -> None:
    """At 17:00 the office is closed; an hour more runs from 09:00 the next day; a
    deadline can land exactly at 17:00, and adding nothing to it leaves it there."""
    closing = at(NEW_YORK, 2026, 6, 2, 17)
    assert not NY.is_open(closing)
    assert NY.is_open(closing - dt.timedelta(microseconds=1))
    assert NY.add(closing, hours(1)) == at(NEW_YORK, 2026, 6, 3, 10)
    assert NY.add(at(NEW_YORK, 2026, 6, 2, 13), hours(4)) == closing
    assert NY.add(closing, dt.timedelta(0)) == closing


def test_zero_duration_before_opening_is_the_opening() -> None:
    """Adding nothing at 07:00 gives 09:00; adding nothing while open gives the start."""
    assert NY.add(at(NEW_YORK, 2026, 6, 2, 7), dt.timedelta(0)) == at(NEW_YORK, 2026, 6, 2, 9)
    noon = at(NEW_YORK, 2026, 6, 2, 12)
    assert NY.add(noon, dt.timedelta(0)) == noon
    assert NY.next_opening(noon) == noon


def test_four_hundred_hours_are_fifty_days() -> None:
    """Friday 6 March 15:00 + 400 h: 2 h on Friday, 49 days and 6 h from Monday 9
    March (9 weeks and 4 days, DST included) → Friday 15 May 15:00."""
    start = at(NEW_YORK, 2026, 3, 6, 15)
    deadline = NY.add_hours(start, 400)
    assert deadline == at(NEW_YORK, 2026, 5, 15, 15)
    assert NY.between(start, deadline) == hours(400)


def test_business_days_are_multiples_of_the_working_day() -> None:
    """Five business days from Monday 09:00 end Friday 17:00; two and a half end
    Wednesday 13:00."""
    monday = at(NEW_YORK, 2026, 6, 1, 9)
    assert add_business_days(NY, monday, 5) == at(NEW_YORK, 2026, 6, 5, 17)
    assert add_business_days(NY, monday, 2.5) == at(NEW_YORK, 2026, 6, 3, 13)


def test_default_calendar_is_weekdays_nine_to_five_utc() -> None:
    """The default calendar: Monday to Friday 09:00-17:00 UTC, no holidays."""
    calendar = BusinessCalendar()
    assert calendar.is_open(dt.datetime(2026, 6, 5, 16, 59, tzinfo=UTC))
    assert not calendar.is_open(dt.datetime(2026, 6, 6, 12, tzinfo=UTC))
    assert not calendar.is_open(dt.datetime(2026, 6, 1, 8, 59, tzinfo=UTC))


def test_elapsed_time_is_negative_backwards() -> None:
    """between(end, start) is minus between(start, end)."""
    start, end = at(NEW_YORK, 2026, 6, 1, 10), at(NEW_YORK, 2026, 6, 2, 11)
    assert NY.between(start, end) == hours(9)
    assert NY.between(end, start) == -hours(9)


def test_results_are_in_the_calendars_zone() -> None:
    """A UTC start gives a deadline expressed in the calendar's zone."""
    deadline = DE.add(dt.datetime(2026, 6, 1, 7, tzinfo=UTC), hours(1))
    assert deadline.tzinfo == BERLIN
    assert deadline == at(BERLIN, 2026, 6, 1, 10)


def test_an_opening_in_the_spring_gap_moves_forward_with_the_clock() -> None:
    """Sunday 8 March 2026 in New York, open 02:30-04:00: 02:30 does not exist and is
    read as 03:30 EDT, leaving 30 minutes."""
    night = BusinessCalendar(
        "America/New_York", days=frozenset({6}), opens=dt.time(2, 30), closes=dt.time(4)
    )
    day_start, day_end = at(NEW_YORK, 2026, 3, 8, 0), at(NEW_YORK, 2026, 3, 9, 0)
    assert night.between(day_start, day_end) == dt.timedelta(minutes=30)
    assert night.next_opening(day_start) == at(NEW_YORK, 2026, 3, 8, 3, 30)


def test_a_closing_in_the_autumn_fold_is_its_second_occurrence() -> None:
    """Sunday 1 November 2026 in New York, open 00:30-01:30: 01:30 happens twice; the
    day closes at the second one, so it holds two real hours."""
    night = BusinessCalendar(
        "America/New_York", days=frozenset({6}), opens=dt.time(0, 30), closes=dt.time(1, 30)
    )
    day_start, day_end = at(NEW_YORK, 2026, 11, 1, 0), at(NEW_YORK, 2026, 11, 2, 0)
    assert night.between(day_start, day_end) == hours(2)
    assert night.add(day_start, hours(2)).astimezone(UTC) == dt.datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: NY.is_open(dt.datetime(2026, 6, 1, 10)),
        lambda: NY.next_opening(dt.datetime(2026, 6, 1, 10)),
        lambda: NY.add(dt.datetime(2026, 6, 1, 10), hours(1)),
        lambda: NY.between(dt.datetime(2026, 6, 1, 10), at(NEW_YORK, 2026, 6, 1, 11)),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    """A datetime without a zone could mean any instant; every method refuses it."""
    with pytest.raises(ValueError, match="naive"):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": frozenset()}, "working days"),
        ({"days": frozenset({7})}, "working days"),
        ({"time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"opens": dt.time(17), "closes": dt.time(9)}, "must be after opening"),
    ],
)
def test_impossible_calendars_are_refused(kwargs: dict[str, object], message: str) -> None:
    """No working day, an unknown zone or closing before opening are errors."""
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_negative_durations_are_refused() -> None:
    """A deadline before its start is a mistake in the caller."""
    with pytest.raises(ValueError, match="negative"):
        NY.add(at(NEW_YORK, 2026, 6, 1, 10), -hours(1))


def test_calendar_from_the_default_contract_in_the_reps_zone() -> None:
    """The contract's hours apply in the rep's zone when one is given."""
    sla = default_contract().sla
    default = BusinessCalendar.from_contract(sla)
    assert default.time_zone == sla.business_hours.timezone
    assert default.days == frozenset({0, 1, 2, 3, 4})
    assert (default.opens, default.closes) == (dt.time(9), dt.time(17))
    berlin = BusinessCalendar.from_contract(sla, time_zone="Europe/Berlin")
    assert berlin.time_zone == "Europe/Berlin"
    with pytest.raises(ValueError, match="unknown calendar"):
        BusinessCalendar.from_contract(sla, calendar="nowhere")
