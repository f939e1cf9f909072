"""Properties of business-hours arithmetic over random calendars, zones and starts.

Zones include ones with daylight saving on either hemisphere and one without; random
opening hours put some windows across the clock changes, where days are not their
nominal length.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revloop.engine.sla import BusinessCalendar

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UTC = dt.UTC
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Santiago",  # changes at midnight
    "Australia/Lord_Howe",  # half-hour daylight saving
)
FIRST_DAY = dt.date(2025, 1, 1)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    opens = draw(st.integers(0, 23 * 4 - 1))
    closes = draw(st.integers(opens + 1, 24 * 4 - 1))
    holidays = draw(
        st.frozensets(
            st.integers(0, 3 * 365).map(lambda n: FIRST_DAY + dt.timedelta(days=n)),
            max_size=40,
        )
    )
    return BusinessCalendar(
        time_zone=draw(st.sampled_from(ZONES)),
        days=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        opens=dt.time(opens // 4, opens % 4 * 15),
        closes=dt.time(closes // 4, closes % 4 * 15),
        holidays=holidays,
    )


# Days the clocks change in the zones above, 2026: starts are often drawn close to one.
CHANGES = tuple(
    dt.datetime(2026, month, day, tzinfo=UTC)
    for month, day in ((3, 8), (3, 29), (4, 5), (9, 6), (10, 4), (10, 25), (11, 1))
)
anywhere = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 6, 30)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
near_a_change = st.builds(
    lambda change, minutes: change + dt.timedelta(minutes=minutes),
    st.sampled_from(CHANGES),
    st.integers(-4 * 24 * 60, 2 * 24 * 60),
)
starts = st.one_of(anywhere, near_a_change)
durations = st.one_of(st.integers(0, 600), st.integers(0, 60 * 24 * 90)).map(
    lambda minutes: dt.timedelta(minutes=minutes)
)


@PROPERTY
@given(calendars(), starts, durations)
def test_elapsed_time_to_the_deadline_is_the_duration(
    calendar: BusinessCalendar, start: dt.datetime, duration: dt.timedelta
) -> None:
    """between(start, add(start, d)) == d, whether or not the clock starts open."""
    assert calendar.between(start, calendar.add(start, duration)) == duration


@PROPERTY
@given(calendars(), starts, durations, durations)
def test_adding_is_monotone_and_associative(
    calendar: BusinessCalendar, start: dt.datetime, a: dt.timedelta, b: dt.timedelta
) -> None:
    """A longer duration never gives an earlier deadline; add(a + b) is add(add(a), b)."""
    shorter, longer = sorted((a, b))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)
    assert calendar.add(start, a + b) == calendar.add(calendar.add(start, a), b)


@PROPERTY
@given(calendars(), starts, durations)
def test_deadlines_fall_in_open_hours_or_at_closing(
    calendar: BusinessCalendar, start: dt.datetime, duration: dt.timedelta
) -> None:
    """A positive duration ends inside open time or exactly at a closing; a zero one at
    the start (if open) or the next opening."""
    deadline = calendar.add(start, duration)
    if duration:
        assert calendar.is_open(deadline - dt.timedelta(microseconds=1))
    else:
        assert deadline in (start, calendar.next_opening(start))
    assert deadline >= start
    assert deadline.tzinfo is not None
    assert str(deadline.tzinfo) == calendar.time_zone


@PROPERTY
@given(calendars(), starts, st.integers(0, 60 * 24 * 60), st.integers(0, 60 * 24 * 60))
def test_elapsed_time_adds_up_over_a_split_and_counts_weeks_like_days(
    calendar: BusinessCalendar, start: dt.datetime, first: int, second: int
) -> None:
    """between(a, c) == between(a, b) + between(b, c); the whole-week shortcut agrees
    with counting one day at a time; the reverse direction is negative."""
    middle = start + dt.timedelta(minutes=first)
    end = middle + dt.timedelta(minutes=second)
    whole = calendar.between(start, end)
    assert whole == calendar.between(start, middle) + calendar.between(middle, end)
    day_by_day = dt.timedelta(0)
    cursor = start
    while cursor < end:
        step = min(cursor + dt.timedelta(days=1), end)
        day_by_day += calendar.between(cursor, step)
        cursor = step
    assert whole == day_by_day
    assert calendar.between(end, start) == -whole


@PROPERTY
@given(calendars(), starts)
def test_next_opening_is_open_and_nothing_before_it_is(
    calendar: BusinessCalendar, start: dt.datetime
) -> None:
    """The next opening is open, and no business time passes before it."""
    opening = calendar.next_opening(start)
    assert calendar.is_open(opening)
    assert calendar.between(start, opening) == dt.timedelta(0)
    assert (opening == start) == calendar.is_open(start)


def test_a_week_whose_first_window_falls_in_a_spring_forward_gap_is_counted_day_by_day() -> None:
    """Santiago springs forward at midnight on 2026-09-06, a Sunday: a window opening at
    00:00 that day never happens, while the week's first opening and last closing both
    show the summer offset. Found by the property above."""
    calendar = BusinessCalendar(
        time_zone="America/Santiago",
        days=frozenset({0, 1, 2, 3, 6}),
        opens=dt.time(0),
        closes=dt.time(1),
    )
    start = dt.datetime(2026, 9, 6, tzinfo=dt.UTC)
    middle = dt.datetime(2026, 9, 6, 4, tzinfo=dt.UTC)
    end = dt.datetime(2026, 9, 13, 3, tzinfo=dt.UTC)
    # Monday to Thursday; Sunday the 6th has no window and the 13th's starts at `end`.
    assert calendar.between(start, end) == dt.timedelta(hours=4)
    assert calendar.between(start, middle) + calendar.between(middle, end) == dt.timedelta(hours=4)
    assert calendar.add(start, dt.timedelta(hours=4)) == dt.datetime(
        2026, 9, 10, 1, tzinfo=calendar.zone
    )
