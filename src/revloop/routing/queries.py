"""Read models for the inbox and the home page: open work, and both teams' SLA record."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from revloop.contracts.versions import active_contract
from revloop.routing.clocks import rep_calendar
from revloop.routing.marketing import MarketingWeek, marketing_week
from revloop.routing.models import ClockKind, SlaClock
from revloop.routing.weeks import week_bounds
from revloop.users.models import User


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One running promise on one lead: what is due, by when, and how far along."""

    person_id: int
    rep_username: str
    assigned_at: datetime
    rule_id: str
    clock_kind: str
    due_at: datetime
    remind_at: datetime | None
    breached: bool
    #: Wall-clock seconds until ``due_at`` (negative once it has passed).
    seconds_left: float
    attempts_done: int
    attempts_needed: int


def open_work(users: Iterable[User], now: datetime) -> list[WorkItem]:
    """Every running clock of ``users``' leads, the soonest deadline first.

    A breached clock stays here until the work is done, marked ``breached``.
    """
    ids = [user.pk for user in users]
    rows = (
        SlaClock.objects.filter(rep_id__in=ids, stopped_at__isnull=True)
        .order_by("due_at", "pk")
        .values_list(
            "person_id",
            "rep__username",
            "assignment__at",
            "assignment__rule_id",
            "kind",
            "due_at",
            "remind_at",
            "breached_at",
            "attempts_done",
            "attempts_needed",
        )
    )
    return [
        WorkItem(
            person_id=person_id,
            rep_username=username,
            assigned_at=assigned_at,
            rule_id=rule_id,
            clock_kind=kind,
            due_at=due_at,
            remind_at=remind_at,
            breached=breached_at is not None,
            seconds_left=(due_at - now).total_seconds(),
            attempts_done=done,
            attempts_needed=needed,
        )
        for (
            person_id,
            username,
            assigned_at,
            rule_id,
            kind,
            due_at,
            remind_at,
            breached_at,
            done,
            needed,
        ) in rows
    ]


@dataclass(frozen=True, slots=True)
class SalesCompliance:
    """Sales' clocks that fell due in the week: kept, missed, and still running."""

    due: int
    met: int
    breached: int
    open: int
    #: met / (met + breached); None when nothing was decided yet.
    rate: float | None
    median_first_touch_hours: float | None
    first_touch_target_hours: float


@dataclass(frozen=True, slots=True)
class SlaCompliance:
    week_start: date
    week_end: date
    sales: SalesCompliance
    marketing: MarketingWeek


def sla_compliance(week_start: date) -> SlaCompliance:
    """Both teams' side of the SLA for the week beginning ``week_start``."""
    begins, ends = week_bounds(week_start)
    _, contract = active_contract()
    clocks = SlaClock.objects.filter(due_at__gte=begins, due_at__lt=ends)
    due = clocks.count()
    breached = clocks.filter(breached_at__isnull=False).count()
    # A clock stopped because the lead changed hands was neither kept nor missed.
    met = (
        clocks.filter(breached_at__isnull=True, stopped_at__isnull=False)
        .exclude(stop_reason="reassigned")
        .count()
    )
    running = clocks.filter(breached_at__isnull=True, stopped_at__isnull=True).count()
    touched = (
        SlaClock.objects.filter(
            kind=ClockKind.FIRST_TOUCH,
            started_at__gte=begins,
            started_at__lt=ends,
            stopped_at__isnull=False,
        )
        .filter(~Q(stop_reason="reassigned"))
        .values_list("started_at", "stopped_at", "rep__time_zone")
    )
    hours = [
        rep_calendar(contract.sla, zone).between(start, stop).total_seconds() / 3600
        for start, stop, zone in touched
    ]
    sales = SalesCompliance(
        due=due,
        met=met,
        breached=breached,
        open=running,
        rate=met / (met + breached) if met + breached else None,
        median_first_touch_hours=round(statistics.median(hours), 2) if hours else None,
        first_touch_target_hours=contract.sla.sales.first_touch_within_business_hours,
    )
    return SlaCompliance(
        week_start=begins.date(),
        week_end=ends.date(),
        sales=sales,
        marketing=marketing_week(begins.date()),
    )
