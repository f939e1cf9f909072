"""Each catalogue metric as daily sums read from the database, for the engine's pacing.

One query per metric and span (two for Marketing's SLA, which also reads the lead
contract's weekly terms): the database groups by the company's calendar day, and
only those daily sums come back. A goal of a group of reps counts what its reps own
(opportunities, SLA clocks); Marketing's metrics are the company's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from revloop.contracts.versions import active_contract
from revloop.engine.goals import DailySeries, Team
from revloop.engine.sla.stops import Clock, kept_reasons
from revloop.engine.vocabulary import LifecycleStage, OpportunityStage
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity
from revloop.routing.marketing import MarketingWeek
from revloop.routing.models import SlaClock
from revloop.routing.weeks import week_start

Sums = dict[date, tuple[float, float, float]]


@dataclass(frozen=True)
class Span:
    """What a loader reads: the times ``[first, end)``, whose figures, as of ``today``."""

    first: datetime
    end: datetime
    team: Team
    group: str
    currency: str
    today: date


#: Sales sending an MQL back by hand: to nurture or out of the funnel (as Marketing's SLA counts).
_REJECTED_TO = (LifecycleStage.RECYCLED.value, LifecycleStage.DISQUALIFIED.value)


def _bounds(first: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(
        end, time.min, tzinfo=zone
    )


def _daily(rows: QuerySet[Any], field: str, **sums: Any) -> Sums:
    """``{day: (value, count, square)}`` of ``rows`` grouped by the day of ``field``."""
    grouped = (
        rows.annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(**sums)
        .order_by("day")
    )
    return {
        row["day"]: (
            float(row.get("value") or 0),
            float(row.get("count") or 0),
            float(row.get("square") or 0),
        )
        for row in grouped
    }


def _counted(rows: QuerySet[Any], field: str) -> Sums:
    found = _daily(rows, field, count=Count("id"))
    return {day: (n, n, n) for day, (_, n, _) in found.items()}


def _new_leads(span: Span) -> Sums:
    return _counted(
        Person.objects.filter(created_at__gte=span.first, created_at__lt=span.end), "created_at"
    )


def _mqls(span: Span) -> Sums:
    rows = StageTransition.objects.filter(
        at__gte=span.first, at__lt=span.end, to_stage=LifecycleStage.MQL
    )
    return _counted(rows, "at")


def _decided_mqls() -> Q:
    return Q(from_stage=LifecycleStage.MQL) & (
        Q(to_stage=LifecycleStage.SAL) | Q(to_stage__in=_REJECTED_TO, by_user__isnull=False)
    )


def _acceptance(span: Span) -> Sums:
    rows = StageTransition.objects.filter(_decided_mqls(), at__gte=span.first, at__lt=span.end)
    return _daily(
        rows, "at", value=Count("id", filter=Q(to_stage=LifecycleStage.SAL)), count=Count("id")
    )


def _marketing_sla(span: Span) -> Sums:
    """Each week that has ended by ``today``, on its last day (so it counts in the
    period it ends in): 1 of 1 when its MQL volume and acceptance met the contract's
    terms (the rule of :class:`MarketingWeek`), 0 of 1 when not. Weeks that began
    before the span are left out."""
    _, contract = active_contract()
    terms = contract.sla.marketing
    rows = StageTransition.objects.filter(
        Q(to_stage=LifecycleStage.MQL) | _decided_mqls(), at__gte=span.first, at__lt=span.end
    )
    days = _daily(
        rows,
        "at",
        value=Count("id", filter=Q(to_stage=LifecycleStage.MQL)),
        count=Count("id", filter=Q(to_stage=LifecycleStage.SAL)),
        square=Count("id", filter=Q(to_stage__in=_REJECTED_TO)),
    )
    weeks: defaultdict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for day, sums in days.items():
        totals = weeks[day - timedelta(days=day.weekday())]
        for i in range(3):
            totals[i] += sums[i]
    found: Sums = {}
    monday = week_start(span.first)
    if monday < span.first.date():
        monday += timedelta(days=7)
    while monday + timedelta(days=7) <= min(span.end.date(), span.today):
        mqls, accepted, rejected = weeks.get(monday, [0.0, 0.0, 0.0])
        decided = accepted + rejected
        week = MarketingWeek(
            week_start=monday,
            mqls=int(mqls),
            accepted=int(accepted),
            rejected=int(rejected),
            acceptance_rate=accepted / decided if decided else None,
            mql_target=terms.mql_per_week,
            min_acceptance_rate=terms.min_acceptance_rate,
        )
        met = week.volume_met and week.acceptance_met is not False
        found[monday + timedelta(days=6)] = (1.0 if met else 0.0, 1.0, 1.0 if met else 0.0)
        monday += timedelta(days=7)
    return found


def _kept() -> Q:
    kept = Q(pk__in=[])
    for clock in Clock:
        kept |= Q(kind=clock.value, stop_reason__in=sorted(kept_reasons(clock)))
    return kept


def _sales_sla(span: Span) -> Sums:
    """Deadlines falling due each day: kept (stopped by work that keeps the promise)
    of kept or missed, as the home page's weekly compliance counts them."""
    clocks = SlaClock.objects.filter(due_at__gte=span.first, due_at__lt=span.end)
    if span.team is Team.GROUP:
        clocks = clocks.filter(rep__team=span.group)
    met = Q(breached_at__isnull=True, stopped_at__isnull=False) & _kept()
    decided = clocks.filter(met | Q(breached_at__isnull=False))
    return _daily(decided, "due_at", value=Count("id", filter=met), count=Count("id"))


def _opportunities(team: Team, group: str, currency: str) -> QuerySet[Opportunity]:
    rows = Opportunity.objects.all()
    if currency:
        rows = rows.filter(currency=currency)
    if team is Team.GROUP:
        rows = rows.filter(owner__team=group)
    return rows


def _money(rows: QuerySet[Opportunity], field: str) -> Sums:
    square = ExpressionWrapper(
        F("amount") * F("amount"), output_field=DecimalField(max_digits=30, decimal_places=4)
    )
    return _daily(rows, field, value=Sum("amount"), count=Count("id"), square=Sum(square))


def _pipeline(span: Span) -> Sums:
    rows = _opportunities(span.team, span.group, span.currency).filter(
        created_at__gte=span.first, created_at__lt=span.end
    )
    return _money(rows, "created_at")


def _won(span: Span) -> Sums:
    rows = _opportunities(span.team, span.group, span.currency).filter(
        stage=OpportunityStage.WON, closed_at__gte=span.first, closed_at__lt=span.end
    )
    return _money(rows, "closed_at")


def _win_rate(span: Span) -> Sums:
    rows = _opportunities(span.team, span.group, "").filter(
        stage__in=(OpportunityStage.WON, OpportunityStage.LOST),
        closed_at__gte=span.first,
        closed_at__lt=span.end,
    )
    won = Count("id", filter=Q(stage=OpportunityStage.WON))
    return _daily(rows, "closed_at", value=won, count=Count("id"))


def _cycle(span: Span) -> Sums:
    """Days from creation to the win, per won opportunity, on the day it was won.
    Durations are summed here, not in SQL, where each database differs."""
    rows = _opportunities(span.team, span.group, "").filter(
        stage=OpportunityStage.WON, closed_at__gte=span.first, closed_at__lt=span.end
    )
    found: defaultdict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for created, closed in rows.values_list("created_at", "closed_at"):
        if closed is None:  # never under the filter; the checker cannot see it
            continue
        days = max((closed - created).total_seconds() / 86400, 0.0)
        sums = found[timezone.localdate(closed)]
        sums[0] += days
        sums[1] += 1
        sums[2] += days * days
    return {day: (v, n, s) for day, (v, n, s) in found.items()}


Loader = Callable[[Span], Sums]

LOADERS: dict[str, Loader] = {
    "new_leads": _new_leads,
    "mqls": _mqls,
    "sal_acceptance_rate": _acceptance,
    "marketing_sla_compliance": _marketing_sla,
    "sales_sla_compliance": _sales_sla,
    "pipeline_created": _pipeline,
    "revenue_won": _won,
    "win_rate": _win_rate,
    "sales_cycle": _cycle,
}


def daily_series(
    metric: str,
    first: date,
    end: date,
    *,
    team: Team,
    group: str = "",
    currency: str = "",
    today: date | None = None,
) -> DailySeries:
    """The metric's daily sums over the days ``[first, end)``, as known on ``today``
    (a week of Marketing's SLA counts once it has ended by then)."""
    lo, hi = _bounds(first, end)
    rows = LOADERS[metric](Span(lo, hi, team, group, currency, today or timezone.localdate()))
    return DailySeries.of(first, (end - first).days, rows)


def period_value(series: DailySeries, first: date, end: date, kind: str) -> Decimal | None:
    """The metric over ``[first, end)``: a total, or a ratio of sums (None with none)."""
    value, count, _ = series.window(first, end)
    if kind in ("count", "money"):
        return Decimal(str(round(float(value.sum()), 4)))
    trials = float(count.sum())
    return Decimal(str(round(float(value.sum()) / trials, 4))) if trials else None
