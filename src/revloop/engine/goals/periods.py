"""Goal and plan periods: a month, a quarter, a year, or custom dates.

A period is ``[start, end)`` in calendar days. It is written as ``2027-Q1``, ``2027-03``,
``2027``, ``2027-01-15..2027-02-28`` (both days included), or relative to today as
``this-month``, ``next-quarter``, ``this-year`` and so on. ``Q1`` alone is the next Q1
that has not ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["month", "quarter", "year", "custom"]
KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year", "custom")

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_BARE_QUARTER = re.compile(r"^Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_RELATIVE = re.compile(r"^(this|next|last|previous)[-_ ](month|quarter|year)$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is accepted."""


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    start: date
    #: The first day after the period.
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError(f"a period must end after it starts ({self.start} .. {self.end})")

    @staticmethod
    def month(year: int, month: int) -> Period:
        return Period("month", _month_start(year, month), _month_start(year, month + 1))

    @staticmethod
    def quarter(year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return Period("quarter", _month_start(year, first), _month_start(year, first + 3))

    @staticmethod
    def year(year: int) -> Period:
        return Period("year", date(year, 1, 1), date(year + 1, 1, 1))

    @staticmethod
    def custom(first: date, last: date) -> Period:
        """From ``first`` to ``last``, both days included."""
        return Period("custom", first, last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (earlier when negative), of the same kind."""
        if self.kind == "month":
            return Period.month(self.start.year, self.start.month + steps)
        if self.kind == "quarter":
            return Period(
                "quarter",
                *(_month_start(self.start.year, self.start.month + 3 * steps + k) for k in (0, 3)),
            )
        if self.kind == "year":
            return Period.year(self.start.year + steps)
        span = timedelta(days=self.days * steps)
        return Period("custom", self.start + span, self.end + span)

    def previous(self) -> Period:
        return self.shifted(-1)

    def last_year(self) -> Period:
        """The same period one year earlier."""
        return Period(self.kind, _shift_year(self.start, -1), _shift_year(self.end, -1))

    def preceding_year(self) -> tuple[Period, ...]:
        """The periods of the same kind that fill the year before this one, oldest
        first: 12 months, 4 quarters, 1 year, or as many custom spans as fit."""
        count = {"month": 12, "quarter": 4, "year": 1}.get(self.kind)
        if count is None:
            count = max(1, 365 // self.days)
        return tuple(self.shifted(-k) for k in range(count, 0, -1))

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def _quarter_of(day: date) -> Period:
    return Period.quarter(day.year, (day.month - 1) // 3 + 1)


def parse_period(text: str, today: date) -> Period:
    """Read a period (module docstring); :class:`PeriodError` names what is accepted."""
    value = text.strip()
    if match := _QUARTER.match(value):
        return Period.quarter(int(match[1]), int(match[2]))
    if match := _BARE_QUARTER.match(value):
        found = Period.quarter(today.year, int(match[1]))
        return found if found.end > today else Period.quarter(today.year + 1, int(match[1]))
    if match := _MONTH.match(value):
        month = int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"period {text!r}: month {month} is not 1 to 12")
        return Period.month(int(match[1]), month)
    if match := _YEAR.match(value):
        return Period.year(int(match[1]))
    if match := _CUSTOM.match(value):
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError as exc:
            raise PeriodError(f"period {text!r}: {exc}") from None
        if last < first:
            raise PeriodError(f"period {text!r}: the last day is before the first")
        return Period.custom(first, last)
    if match := _RELATIVE.match(value):
        step = {"this": 0, "next": 1, "last": -1, "previous": -1}[match[1].lower()]
        unit = match[2].lower()
        here = (
            Period.month(today.year, today.month)
            if unit == "month"
            else _quarter_of(today)
            if unit == "quarter"
            else Period.year(today.year)
        )
        return here.shifted(step)
    raise PeriodError(
        f"period {text!r}: write 2027-Q1, 2027-03, 2027, 2027-01-15..2027-02-28, "
        "or this-/next-/last- month, quarter or year"
    )
