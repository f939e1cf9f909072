"""A business-hours deadline on demand, under the active contract's calendars."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from revloop.contracts.versions import active_contract
from revloop.core.errors import InvalidInputError
from revloop.engine.sla import BusinessCalendar


def business_deadline(
    start: str, hours: float, time_zone: str, calendar: str | None = None
) -> dict[str, Any]:
    """When ``hours`` business hours after ``start`` (ISO, with an offset) run out in
    ``time_zone``, under the contract's business hours or its named ``calendar``."""
    try:
        begins = datetime.fromisoformat(start)
    except ValueError:
        raise InvalidInputError(f"--start {start!r} is not an ISO time") from None
    if begins.tzinfo is None:
        raise InvalidInputError(f"--start {start!r} needs a zone offset, like +01:00 or Z")
    if hours < 0:
        raise InvalidInputError(f"--hours must not be negative, not {hours:g}")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"--tz {time_zone!r} is not an IANA time zone") from None
    _, contract = active_contract()
    try:
        cal = BusinessCalendar.from_contract(contract.sla, time_zone=time_zone, calendar=calendar)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    deadline = cal.add(begins, timedelta(hours=hours))
    return {
        "start": begins.astimezone(deadline.tzinfo).isoformat(),
        "hours": hours,
        "time_zone": time_zone,
        "calendar": cal.name,
        "deadline": deadline.isoformat(),
        "deadline_utc": deadline.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat(),
        "wall_clock_hours": round((deadline - begins).total_seconds() / 3600, 4),
    }
