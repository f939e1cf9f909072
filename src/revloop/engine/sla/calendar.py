"""Business calendars: working days and hours in one time zone, minus holidays.

Open time is the half-open interval ``[opens, closes)`` of every working day that is
not a holiday, in the calendar's own zone. A clock that starts outside it starts at
the next opening; a moment exactly at closing is closed (the clock resumes at the
next opening), but a deadline can fall exactly at closing ("by 17:00").

``add`` takes whole weeks in one step when no clock change falls inside them, so a
deadline of hundreds of business hours costs a few dozen date computations, not one
per hour.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from revloop.engine.sla.windows import UTC, instant, to_utc

if TYPE_CHECKING:
    from revloop.engine.contract.schema import BusinessHours, NamedCalendar, Sla

#: Contract day names, Monday first (``date.weekday()`` order).
WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)
ZERO = dt.timedelta(0)
# Before every opening: the clock has not started on a day the loop moved on to.
_BEFORE_ALL = dt.datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """When a business clock runs. Defaults: Monday to Friday, 09:00-17:00 UTC, no holidays.

    ``days`` are ``date.weekday()`` numbers (Monday = 0); ``holidays`` are local dates.
    Every method takes and returns timezone-aware datetimes (results in the calendar's
    zone) and raises ``ValueError`` for naive ones.
    """

    time_zone: str = "UTC"
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens: dt.time = dt.time(9)
    closes: dt.time = dt.time(17)
    holidays: frozenset[dt.date] = frozenset()
    name: str = "default"
    _zone: zoneinfo.ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _sorted_holidays: tuple[dt.date, ...] = field(init=False, repr=False, compare=False, hash=False)
    _day_length: dt.timedelta = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        days = frozenset(self.days)
        if not days or not days <= set(range(7)):
            raise ValueError(f"working days must be a non-empty set of 0..6, not {sorted(days)}")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening and closing are local clock times, without a time zone")
        if not self.opens < self.closes:
            raise ValueError(
                f"closing {self.closes:%H:%M} must be after opening {self.opens:%H:%M}"
            )
        try:
            zone = zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        holidays = frozenset(self.holidays)
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_sorted_holidays", tuple(sorted(holidays)))
        object.__setattr__(
            self,
            "_day_length",
            dt.datetime.combine(dt.date.min, self.closes)
            - dt.datetime.combine(dt.date.min, self.opens),
        )

    @classmethod
    def from_contract(
        cls, sla: Sla, *, time_zone: str | None = None, calendar: str | None = None
    ) -> BusinessCalendar:
        """The contract's business hours, or its named ``calendar``, in ``time_zone``.

        The zone is, first that is set: ``time_zone`` (the rep's own), the named
        calendar's ``timezone``, the default business hours' ``timezone``.
        """
        hours = sla.business_hours
        zone = hours.timezone
        source: BusinessHours | NamedCalendar = hours
        name = "default"
        if calendar is not None:
            named = sla.calendar(calendar)
            if named is None:
                known = ", ".join(c.name for c in sla.calendars) or "none"
                raise ValueError(f"unknown calendar {calendar!r} (the contract has: {known})")
            source, name = named, named.name
            zone = named.timezone or zone
        return cls(
            time_zone=time_zone or zone,
            days=frozenset(WEEKDAY_NAMES.index(day) for day in source.days),
            opens=source.start,
            closes=source.end,
            holidays=frozenset(source.holidays),
            name=name,
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return self._zone

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The date the calendar's zone shows at ``moment``."""
        return self._local_date(to_utc(moment))

    @property
    def day_length(self) -> dt.timedelta:
        """One business day on the wall clock (``closes - opens``)."""
        return self._day_length

    def is_open(self, moment: dt.datetime) -> bool:
        at = to_utc(moment)
        window = self._window(self._local_date(at))
        return window is not None and window[0] <= at < window[1]

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` itself when open, otherwise the next opening."""
        at = to_utc(moment)
        day = self._local_date(at)
        while True:
            window = self._window(day)
            if window is not None and at < window[1]:
                return self._local(max(at, window[0]))
            day += ONE_DAY

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The deadline ``duration`` of business time after ``start``.

        A zero duration gives ``start`` when it is open or exactly at closing, and the
        next opening otherwise.
        """
        if duration < ZERO:
            raise ValueError(f"a business duration cannot be negative ({duration})")
        at = to_utc(start)
        remaining = duration
        day = self._local_date(at)
        longest_week = self._day_length * len(self.days)
        while True:
            window = self._window(day)
            if window is not None and at <= window[1]:
                at = max(at, window[0])
                available = window[1] - at
                if remaining <= available:
                    return self._local(at + remaining)
                remaining -= available
            day += ONE_DAY
            at = _BEFORE_ALL
            while remaining > longest_week:
                week = self._week_time(day)
                if week is None or remaining <= week:
                    break
                remaining -= week
                day += ONE_WEEK

    def add_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.add(start, dt.timedelta(hours=hours))

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time elapsed from ``start`` to ``end``; negative if ``end`` is earlier."""
        first, last = to_utc(start), to_utc(end)
        if last < first:
            return -self.between(end, start)
        total = ZERO
        first_day, day, last_day = (
            self._local_date(first),
            self._local_date(first),
            self._local_date(last),
        )
        while day <= last_day:
            # A whole week strictly between the end days counts in one step.
            if first_day < day and day + ONE_WEEK <= last_day:
                week = self._week_time(day)
                if week is not None:
                    total += week
                    day += ONE_WEEK
                    continue
            window = self._window(day)
            if window is not None:
                overlap = min(window[1], last) - max(window[0], first)
                if overlap > ZERO:
                    total += overlap
            day += ONE_DAY
        return total

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        if not self.is_working_day(day):
            return None
        opening = instant(day, self.opens, self._zone, closing=False)
        closing = instant(day, self.closes, self._zone, closing=True)
        return (opening, closing) if opening < closing else None

    def _week_time(self, day: dt.date) -> dt.timedelta | None:
        """Business time in the 7 days from ``day``, or None when the clocks change
        between its first opening and last closing (then days are counted one by one)."""
        start = instant(day, self.opens, self._zone, closing=False)
        end = instant(day + dt.timedelta(days=6), self.closes, self._zone, closing=True)
        # The offset just before the first opening too: clocks that spring forward at
        # the opening itself swallow that day's window (America/Santiago opening at
        # midnight on the first Sunday of September) while both ends show one offset.
        before = start - dt.timedelta(microseconds=1)
        offsets = {moment.astimezone(self._zone).utcoffset() for moment in (before, start, end)}
        if len(offsets) > 1:
            return None
        low = bisect.bisect_left(self._sorted_holidays, day)
        high = bisect.bisect_left(self._sorted_holidays, day + ONE_WEEK)
        closed = sum(1 for d in self._sorted_holidays[low:high] if d.weekday() in self.days)
        return self._day_length * (len(self.days) - closed)

    def _local_date(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self._zone).date()

    def _local(self, at: dt.datetime) -> dt.datetime:
        return at.astimezone(self._zone)


def add_business_days(calendar: BusinessCalendar, start: dt.datetime, days: float) -> dt.datetime:
    """``days`` business days after ``start``: ``days * (closes - opens)`` of business time."""
    return calendar.add(start, calendar.day_length * days)


def calendar_of(days: Iterable[str]) -> frozenset[int]:
    """Contract day names (``mon`` …) as weekday numbers."""
    return frozenset(WEEKDAY_NAMES.index(day) for day in days)
