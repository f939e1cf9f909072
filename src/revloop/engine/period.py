"""Conversion periods: which conversions a report counts, by when they happened.

A look-back says how far before a conversion its touches count; a period says which
conversions count at all -- "the revenue closed last quarter". Periods are calendar
quarters and years in the company's time zone (Q3 runs from 1 July 00:00 there to
1 October 00:00), or explicit first and last days. ``None`` stands for all time.

A conversion is in the period when its moment falls in ``[start, end)``. Some deals
only have a close *date* (no moment): stored as that date's midnight UTC, they are in
the period when the date lies between its first and last day, whatever the zone
(:attr:`Period.first_day_us` and :attr:`Period.after_last_day_us`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

#: The named periods, relative to today in the company's zone.
PERIOD_NAMES = ("this-quarter", "last-quarter", "this-year", "last-year")

_US_PER_SECOND = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(moment: datetime) -> int:
    # Exact integer arithmetic: timestamp() goes through a float.
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US_PER_SECOND + delta.microseconds


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The moment ``day`` begins in ``zone``, in UTC.

    Where a zone skips midnight (a DST change at 00:00), the wall time is read with
    the offset before the change, as ``zoneinfo`` does; both edges of a period are
    read alike, so periods still tile the time line.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Days ``first_day`` to ``last_day`` (inclusive) in ``zone_name``; either side
    may be open (``None``)."""

    key: str
    label: str
    #: The label in a sentence: "in Q3 2026", "from 1 Jan 2026 to 31 Mar 2026".
    phrase: str
    first_day: date | None
    last_day: date | None
    zone_name: str
    start: datetime | None
    end: datetime | None

    @property
    def named(self) -> bool:
        return self.key in PERIOD_NAMES

    @property
    def start_us(self) -> int | None:
        return None if self.start is None else _us(self.start)

    @property
    def end_us(self) -> int | None:
        return None if self.end is None else _us(self.end)

    @property
    def first_day_us(self) -> int | None:
        """Midnight UTC of the first day: how a date-only close of that day is stored."""
        if self.first_day is None:
            return None
        return _us(datetime.combine(self.first_day, time(0), tzinfo=UTC))

    @property
    def after_last_day_us(self) -> int | None:
        if self.last_day is None:
            return None
        return _us(datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=UTC))

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "phrase": self.phrase,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "time_zone": self.zone_name,
            "start": self.start,
            "end": self.end,
        }


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def _previous_quarter(start: date) -> date:
    return date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)


def _named_days(name: str, today: date) -> tuple[date, date, str]:
    """First day, first day after, and label of a named period containing or before today."""
    if name in ("this-quarter", "last-quarter"):
        first = _quarter_start(today)
        if name == "last-quarter":
            first = _previous_quarter(first)
        return first, _next_quarter(first), f"Q{(first.month - 1) // 3 + 1} {first.year}"
    if name in ("this-year", "last-year"):
        year = today.year if name == "this-year" else today.year - 1
        return date(year, 1, 1), date(year + 1, 1, 1), str(year)
    raise ValueError(f"{name!r} is not one of {', '.join(PERIOD_NAMES)}")


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def resolve_period(
    name: str | None,
    now: datetime,
    zone: tzinfo,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
) -> Period | None:
    """The period ``name`` means at ``now`` in ``zone``, or the explicit days.

    ``name`` is one of :data:`PERIOD_NAMES`; without it, ``first_day`` and/or
    ``last_day`` (inclusive) bound the period; with neither, the answer is ``None``
    (all time). ``now`` must be timezone-aware.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    zone_name = str(zone)
    if name:
        if first_day is not None or last_day is not None:
            raise ValueError("name a period or give its days, not both")
        today = now.astimezone(zone).date()
        first, after, label = _named_days(name, today)
        return Period(
            key=name,
            label=label,
            phrase=f"in {label}",
            first_day=first,
            last_day=after - timedelta(days=1),
            zone_name=zone_name,
            start=_midnight(first, zone),
            end=_midnight(after, zone),
        )
    if first_day is None and last_day is None:
        return None
    if first_day is not None and last_day is not None and first_day > last_day:
        raise ValueError(f"the first day {first_day} is after the last day {last_day}")
    key = f"{first_day or ''}..{last_day or ''}"
    if first_day is not None and last_day is not None:
        label = f"{_day_label(first_day)} to {_day_label(last_day)}"
        phrase = f"from {label}"
    elif first_day is not None:
        label = phrase = f"since {_day_label(first_day)}"
    else:
        assert last_day is not None
        label = phrase = f"up to {_day_label(last_day)}"
    return Period(
        key=key,
        label=label,
        phrase=phrase,
        first_day=first_day,
        last_day=last_day,
        zone_name=zone_name,
        start=None if first_day is None else _midnight(first_day, zone),
        end=None if last_day is None else _midnight(last_day + timedelta(days=1), zone),
    )
