"""Read models for the inbox and the home page: open work, and both teams' SLA record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Min, Q, QuerySet

from revloop.contracts.versions import active_contract
from revloop.engine.contract import Contract
from revloop.engine.sla.speed import FirstTouch, Rate, SpeedToLead, speed_to_lead
from revloop.engine.sla.stops import Clock, kept_reasons, real_attempt_reasons
from revloop.routing.clocks import rep_calendar
from revloop.routing.marketing import MarketingWeek, marketing_week
from revloop.routing.models import SlaClock
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


def open_work(
    users: Iterable[User], now: datetime, people: Iterable[int] | None = None
) -> list[WorkItem]:
    """Every running clock of ``users``' leads (of ``people`` only, when given), the
    soonest deadline first.

    A breached clock stays here until the work is done, marked ``breached``.
    """
    ids = [user.pk for user in users]
    running = SlaClock.objects.filter(rep_id__in=ids, stopped_at__isnull=True)
    if people is not None:
        running = running.filter(person_id__in=list(people))
    rows = running.order_by("due_at", "pk").values_list(
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
class Pressure:
    """How pressing one lead's running clocks are, summed up by the database."""

    #: Seconds until the most pressing deadline: the earliest breached one, else the
    #: earliest (negative once passed).
    seconds_left: float
    breached: bool
    clocks: int


def pressure(users: Iterable[User], now: datetime) -> dict[int, Pressure]:
    """Per lead with a running clock of ``users``: its most pressing deadline, whether
    it is breached, and how many clocks run; one row per lead, not per clock."""
    ids = [user.pk for user in users]
    rows = (
        SlaClock.objects.filter(rep_id__in=ids, stopped_at__isnull=True)
        .values("person_id")
        .annotate(
            n=Count("pk"),
            first_due=Min("due_at"),
            breached_due=Min("due_at", filter=Q(breached_at__isnull=False)),
        )
        .values_list("person_id", "n", "first_due", "breached_due")
    )
    return {
        person_id: Pressure(
            seconds_left=((breached_due or first_due) - now).total_seconds(),
            breached=breached_due is not None,
            clocks=n,
        )
        for person_id, n, first_due, breached_due in rows
    }


def breached_leads(users: Iterable[User]) -> dict[str, int]:
    """Per rep (username), the leads with a breached running clock of theirs.

    A lead's running clocks all belong to its one open assignment, so to one rep."""
    ids = [user.pk for user in users]
    rows = (
        SlaClock.objects.filter(rep_id__in=ids, stopped_at__isnull=True, breached_at__isnull=False)
        .values("rep__username")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("rep__username", "n")
    )
    return dict(rows)


@dataclass(frozen=True, slots=True)
class GroupSpeed:
    """Speed to lead of one rep or one team."""

    name: str
    team: str
    speed_to_lead: SpeedToLead


@dataclass(frozen=True, slots=True)
class SalesCompliance:
    """Sales' clocks that fell due in the week: kept, missed, and still running."""

    due: int
    met: int
    breached: int
    open: int
    #: met / (met + breached); None when nothing was decided yet.
    rate: float | None
    #: The same share with what it counts.
    deadlines_kept: Rate
    #: Stopped without the promise kept or missed (the lead was rejected, moved on,
    #: re-assigned or merged first).
    ended: int
    #: Median business hours from assignment to the first call, e-mail or meeting.
    median_first_touch_hours: float | None
    first_touch_target_hours: float
    #: First-touch promises due in the week, from the first real contact attempt.
    speed_to_lead: SpeedToLead
    by_rep: list[GroupSpeed]
    by_team: list[GroupSpeed]


@dataclass(frozen=True, slots=True)
class SlaCompliance:
    week_start: date
    week_end: date
    sales: SalesCompliance
    marketing: MarketingWeek


def _kept() -> Q:
    """A stopped clock whose stop kept its promise (the engine's rule, per kind)."""
    kept = Q(pk__in=[])
    for clock in Clock:
        kept |= Q(kind=clock.value, stop_reason__in=sorted(kept_reasons(clock)))
    return kept


def sla_compliance(week_start: date) -> SlaCompliance:
    """Both teams' side of the SLA for the week beginning ``week_start``."""
    begins, ends = week_bounds(week_start)
    _, contract = active_contract()
    clocks = SlaClock.objects.filter(due_at__gte=begins, due_at__lt=ends)
    due = clocks.count()
    # A clock stopped because the lead was rejected, moved on or changed hands was
    # neither kept nor missed: only a stop that keeps the promise counts as met.
    stopped = clocks.filter(breached_at__isnull=True, stopped_at__isnull=False)
    met = stopped.filter(_kept()).count()
    missed = clocks.filter(breached_at__isnull=False).count()
    running = clocks.filter(breached_at__isnull=True, stopped_at__isnull=True).count()
    speed, by_rep, by_team = _speed_to_lead(contract, clocks)
    sales = SalesCompliance(
        due=due,
        met=met,
        breached=missed,
        open=running,
        rate=Rate(met, met + missed).value,
        deadlines_kept=Rate(met, met + missed),
        ended=due - met - missed - running,
        median_first_touch_hours=speed.median_hours,
        first_touch_target_hours=contract.sla.sales.first_touch_within_business_hours,
        speed_to_lead=speed,
        by_rep=by_rep,
        by_team=by_team,
    )
    return SlaCompliance(
        week_start=begins.date(),
        week_end=ends.date(),
        sales=sales,
        marketing=marketing_week(begins.date()),
    )


def _speed_to_lead(
    contract: Contract, clocks: QuerySet[SlaClock]
) -> tuple[SpeedToLead, list[GroupSpeed], list[GroupSpeed]]:
    """First-touch figures of ``clocks``: all of them, by rep and by team."""
    attempts = real_attempt_reasons()
    rows: list[tuple[str, str, FirstTouch]] = []
    for start, due_at, stopped_at, reason, breached_at, zone, rep, team in (
        clocks.filter(kind=Clock.FIRST_TOUCH.value)
        .order_by("pk")
        .values_list(
            "started_at",
            "due_at",
            "stopped_at",
            "stop_reason",
            "breached_at",
            "rep__time_zone",
            "rep__username",
            "rep__team",
        )
    ):
        reached = stopped_at if reason in attempts else None
        hours = (
            rep_calendar(contract.sla, zone).between(start, reached).total_seconds() / 3600
            if reached is not None
            else None
        )
        clock = FirstTouch(
            due_at=due_at,
            attempt_at=reached,
            attempt_hours=hours,
            breached=breached_at is not None,
            ended=stopped_at is not None and reached is None,
        )
        rows.append((rep, team, clock))
    reps: defaultdict[tuple[str, str], list[FirstTouch]] = defaultdict(list)
    teams: defaultdict[str, list[FirstTouch]] = defaultdict(list)
    for rep, team, clock in rows:
        reps[rep, team].append(clock)
        teams[team].append(clock)
    return (
        speed_to_lead(clock for _, _, clock in rows),
        [GroupSpeed(rep, team, speed_to_lead(c)) for (rep, team), c in sorted(reps.items())],
        [GroupSpeed(team, team, speed_to_lead(c)) for team, c in sorted(teams.items())],
    )
