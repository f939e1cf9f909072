"""Conversion periods: quarters and years in the company's zone tile the time line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.period import PERIOD_NAMES, Period, resolve_period

ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "America/Los_Angeles",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "America/Santiago",
    )
]
moments = st.datetimes(
    min_value=datetime(1901, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
)
zones = st.sampled_from(ZONES)


def known(period: Period | None) -> Period:
    assert period is not None
    return period


def edges(period: Period) -> tuple[datetime, datetime, date, date]:
    """Start, end, first and last day of a period bounded on both sides."""
    assert period.start is not None
    assert period.end is not None
    assert period.first_day is not None
    assert period.last_day is not None
    return period.start, period.end, period.first_day, period.last_day


def test_q3_in_utc_and_in_los_angeles() -> None:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    utc = known(resolve_period("last-quarter", now, UTC))
    assert (utc.label, utc.phrase) == ("Q3 2026", "in Q3 2026")
    assert edges(utc) == (
        datetime(2026, 7, 1, tzinfo=UTC),
        datetime(2026, 10, 1, tzinfo=UTC),
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert utc.start_us == 1_782_864_000_000_000
    pacific = known(resolve_period("last-quarter", now, ZoneInfo("America/Los_Angeles")))
    # Summer time on both edges: UTC-7.
    assert pacific.start == datetime(2026, 7, 1, 7, tzinfo=UTC)
    assert pacific.end == datetime(2026, 10, 1, 7, tzinfo=UTC)
    # A date-only close is compared by its day, whatever the zone.
    assert pacific.first_day_us == utc.start_us
    assert pacific.after_last_day_us == utc.end_us


def test_new_years_eve_in_one_zone_is_new_year_in_another() -> None:
    now = datetime(2026, 12, 31, 20, tzinfo=UTC)
    india = ZoneInfo("Asia/Kolkata")
    assert known(resolve_period("this-year", now, UTC)).label == "2026"
    assert known(resolve_period("this-year", now, india)).label == "2027"
    assert known(resolve_period("this-quarter", now, india)).label == "Q1 2027"
    assert known(resolve_period("last-quarter", now, india)).label == "Q4 2026"


@given(moments, zones)
def test_this_quarter_holds_now_and_starts_at_a_local_quarter_midnight(
    now: datetime, zone: ZoneInfo
) -> None:
    this = known(resolve_period("this-quarter", now, zone))
    start, end, first, last = edges(this)
    assert start <= now < end
    assert first.month in (1, 4, 7, 10)
    assert first.day == 1
    assert (last - first).days + 1 in (90, 91, 92)
    assert start.astimezone(zone).date() <= first
    assert this.label == f"Q{(first.month + 2) // 3} {first.year}"


@given(moments, zones)
def test_last_quarter_ends_where_this_one_starts(now: datetime, zone: ZoneInfo) -> None:
    this_start, _, this_first, _ = edges(known(resolve_period("this-quarter", now, zone)))
    _, last_end, _, last_day = edges(known(resolve_period("last-quarter", now, zone)))
    assert last_end == this_start
    assert last_day == this_first - timedelta(days=1)
    assert last_end <= now


@given(moments, zones)
def test_years_hold_their_quarters(now: datetime, zone: ZoneInfo) -> None:
    year_start, year_end, first, _ = edges(known(resolve_period("this-year", now, zone)))
    _, last_year_end, _, _ = edges(known(resolve_period("last-year", now, zone)))
    quarter_start, quarter_end, _, _ = edges(known(resolve_period("this-quarter", now, zone)))
    assert year_start <= quarter_start
    assert quarter_end <= year_end
    assert last_year_end == year_start
    assert first == date(now.astimezone(zone).year, 1, 1)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 30)),
    st.integers(min_value=0, max_value=800),
    zones,
)
def test_explicit_days_span_whole_local_days(first: date, length: int, zone: ZoneInfo) -> None:
    last = min(first + timedelta(days=length), date(2200, 12, 31))
    period = known(resolve_period(None, datetime.now(UTC), zone, first_day=first, last_day=last))
    start, end, _, _ = edges(period)
    assert start.astimezone(zone).date() <= first
    hours = (end - start) / timedelta(hours=1)
    # Whole days, give or take the zone's offset changes in between.
    assert abs(hours - 24 * ((last - first).days + 1)) <= 3
    assert period.key == f"{first}..{last}"


def test_nothing_is_all_time_and_bad_input_is_refused() -> None:
    now = datetime(2026, 5, 5, tzinfo=UTC)
    assert resolve_period(None, now, UTC) is None
    assert resolve_period("", now, UTC) is None
    since = known(resolve_period(None, now, UTC, first_day=date(2026, 1, 1)))
    assert since.end is None
    assert since.phrase == "since 1 Jan 2026"
    with pytest.raises(ValueError, match="not one of"):
        resolve_period("next-decade", now, UTC)
    with pytest.raises(ValueError, match="after the last day"):
        resolve_period(None, now, UTC, first_day=date(2026, 2, 1), last_day=date(2026, 1, 1))
    with pytest.raises(ValueError, match="not both"):
        resolve_period("this-year", now, UTC, first_day=date(2026, 2, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_period("this-year", datetime(2026, 5, 5), UTC)
    assert set(PERIOD_NAMES) == {"this-quarter", "last-quarter", "this-year", "last-year"}
