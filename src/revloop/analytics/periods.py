"""The conversion period a report is asked for, checked at the edge (page, API, CLI).

A name (``last-quarter`` …) is read against today in the company's time zone
(``REVLOOP_TIME_ZONE``); explicit days must lie in the years the product deals in.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from revloop.core.bounds import check_year
from revloop.core.errors import InvalidInputError
from revloop.engine.period import PERIOD_NAMES, Period, resolve_period

#: How the picker names each period.
PERIOD_LABELS = {
    "this-quarter": "This quarter",
    "last-quarter": "Last quarter",
    "this-year": "This year",
    "last-year": "Last year",
}


def _day(value: date | str | None, field: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInputError(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None
    return check_year(value, field)


def conversion_period(
    name: str | None = None,
    first_day: date | str | None = None,
    last_day: date | str | None = None,
    *,
    now: datetime | None = None,
) -> Period | None:
    """The period of conversions to count; ``None`` (nothing given) is all time."""
    name = (name or "").strip() or None
    if name is not None and name not in PERIOD_NAMES:
        raise InvalidInputError(
            f"period: {name!r} is not one of {', '.join(PERIOD_NAMES)} (or give from and to)"
        )
    first, last = _day(first_day, "from"), _day(last_day, "to")
    if name is not None and (first is not None or last is not None):
        raise InvalidInputError("period: name a period or give from and to, not both")
    if first is not None and last is not None and first > last:
        raise InvalidInputError(f"from: {first} is after to ({last})")
    return resolve_period(
        name,
        now or timezone.now(),
        timezone.get_default_timezone(),
        first_day=first,
        last_day=last,
    )


def named_periods(now: datetime | None = None) -> list[tuple[str, str]]:
    """The picker's choices: each name with what it means today ("Last quarter (Q3 2026)")."""
    choices = []
    for name in PERIOD_NAMES:
        period = conversion_period(name, now=now)
        assert period is not None
        choices.append((name, f"{PERIOD_LABELS[name]} ({period.label})"))
    return choices
