"""Weeks as the company counts them: Monday 00:00 to Monday 00:00 in its time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def week_start(moment: datetime) -> date:
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


def week_bounds(start: date) -> tuple[datetime, datetime]:
    """The week beginning on ``start`` (any day; it is moved back to its Monday)."""
    monday = start - timedelta(days=start.weekday())
    zone = timezone.get_current_timezone()
    begins = datetime.combine(monday, time.min, tzinfo=zone)
    ends = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone)
    return begins, ends
