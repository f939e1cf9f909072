"""The reverse funnel on the company's own history, and the goals it turns into.

Rates and lags come from the analytics layer's funnel (:mod:`revloop.analytics.reports`):
of the people who reached a stage, the share who reached the next, and the median days
it took them. A cohort counts only once it has had time to mature: people created
before today minus the 75th percentile of the lead-to-customer cycle, so that whoever
is still sitting in a stage has, in practice, not converted (young cohorts, whose slow
converters have not converted *yet*, would understate rates and shorten lags). When
too few such people exist, every cohort is used and the plan says so. The average
deal is the mean won amount in the plan's currency over the last year (all time when
the year has fewer than :data:`~revloop.engine.goals.THIN_DEALS` wins).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from revloop.analytics.reports import Reports
from revloop.core.errors import InvalidInputError
from revloop.engine.goals import (
    STAGES,
    THIN_DEALS,
    THIN_HISTORY,
    History,
    Period,
    PeriodError,
    Plan,
    PlanError,
    Step,
    parse_period,
    reverse_funnel,
    reverse_funnel_by_channel,
)
from revloop.engine.vocabulary import OpportunityStage
from revloop.goals.actions import GoalInvalid, check_can_set_goal, company_currency, do_set_goal
from revloop.goals.models import Goal
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity
from revloop.users.models import User

BY_CHOICES = ("channel",)


@dataclass(frozen=True)
class PlanRequest:
    revenue: Decimal
    currency: str
    period: Period
    by: str | None


def read_request(
    revenue: str, period: str, *, by: str | None = None, currency: str = "", today: date
) -> PlanRequest:
    """The plan's inputs, or :class:`InvalidInputError` naming the field."""
    try:
        amount = Decimal(str(revenue).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInputError(f"revenue: {revenue!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInputError(f"revenue: {revenue!r} must be above 0")
    try:
        when = parse_period(period, today)
    except PeriodError as exc:
        raise InvalidInputError(str(exc)) from None
    if when.end <= today:
        raise InvalidInputError(f"period: {when.label} has already ended")
    if by and by not in BY_CHOICES:
        raise InvalidInputError(f"by: {by!r} is not one of {', '.join(BY_CHOICES)}")
    return PlanRequest(
        revenue=amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        currency=(currency.strip().upper() or company_currency()),
        period=when,
        by=by or None,
    )


def _steps(rows: list[dict[str, Any]], **slice_: str) -> tuple[Step, ...]:
    found = {
        (row["from_stage"], row["to_stage"]): row
        for row in rows
        if all(row.get(k) == v for k, v in slice_.items())
    }
    steps = []
    for a, b in itertools.pairwise(STAGES):
        row = found.get((a, b), {})
        converted = int(row.get("converted") or 0)
        lag = row.get("days_to_convert_p50")
        steps.append(
            Step(
                from_stage=a,
                to_stage=b,
                converted=converted,
                reached=int(row.get("entered") or 0),
                lag_days=None if lag is None else round(float(lag), 2),
                lag_n=int(row.get("days_to_convert_n") or 0),
            )
        )
    return tuple(steps)


def _overall(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return next(
        (r for r in rows if r["from_stage"] == STAGES[0] and r["to_stage"] == STAGES[-1]), {}
    )


def _deal_size(currency: str, today: date) -> tuple[Decimal, int, str]:
    won = Opportunity.objects.filter(stage=OpportunityStage.WON, currency=currency)
    since = today - timedelta(days=365)
    recent = won.filter(closed_at__date__gte=since).aggregate(mean=Avg("amount"), n=Count("id"))
    span = f"won since {since.isoformat()}"
    if recent["n"] < THIN_DEALS:
        recent = won.aggregate(mean=Avg("amount"), n=Count("id"))
        span = "won at any time"
    mean = Decimal(str(recent["mean"] or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return mean, int(recent["n"]), span


def make_plan(
    request: PlanRequest, now: datetime | None = None, *, max_age: timedelta | None = None
) -> dict[str, Any]:
    """The plan (and one per channel when asked), with the history it rests on.
    ``max_age`` lets a page use funnel reports of slightly older data (the Marketing
    page's policy) rather than recompute them on a view."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    notes: list[str] = []
    with Reports(max_age=max_age) as reports:
        everyone = reports.funnel()["steps"]
        p75 = _overall(everyone).get("days_to_convert_p75")
        maturity = math.ceil(p75) if p75 is not None else None
        cutoff = today - timedelta(days=maturity) if maturity else None
        rows = everyone
        if cutoff is not None:
            matured = reports.funnel(cohort_to=cutoff)["steps"]
            if int(_overall(matured).get("entered") or 0) >= THIN_HISTORY:
                rows = matured
                notes.append(
                    f"rates and lags from people created before {cutoff.isoformat()}, "
                    f"whose cohorts have had the usual lead-to-customer time "
                    f"({maturity} days, 75th percentile) to mature"
                )
            else:
                cutoff = None
        if cutoff is None:
            notes.append(
                "rates and lags from every cohort: too few have had time to mature, so "
                "people still on their way make rates look lower than they will be"
            )
        by_channel = (
            reports.funnel(by=("channel",), cohort_to=cutoff)["steps"] if request.by else []
        )
    deal, deals, span = _deal_size(request.currency, today)
    history = History(_steps(rows), deal, deals, request.currency)
    try:
        plan = reverse_funnel(request.revenue, request.period, history, today)
        channels: list[Plan] = []
        if request.by:
            names = sorted({r["channel"] for r in by_channel})
            mix = {
                name: (
                    _steps(by_channel, channel=name),
                    int(
                        _overall([r for r in by_channel if r["channel"] == name]).get("converted")
                        or 0
                    ),
                )
                for name in names
            }
            channels = reverse_funnel_by_channel(
                request.revenue, request.period, history, mix, today
            )
    except PlanError as exc:
        raise InvalidInputError(str(exc)) from None
    found = plan.as_dict()
    _count_so_far(found["stages"], today)
    return {
        **found,
        "as_of": now,
        "cohorts_before": cutoff,
        "deal_size_basis": f"mean of {deals} deals in {request.currency} {span}",
        "notes": notes,
        "by": request.by,
        "channels": [c.as_dict() for c in channels],
    }


def _count_so_far(stages: list[dict[str, Any]], today: date) -> None:
    """Add to each stage how many people already reached it inside its window (up to
    today), and how many are still to find: a window under way is partly done."""
    zone = timezone.get_current_timezone()
    for stage in stages:
        first = date.fromisoformat(stage["from"])
        last = min(date.fromisoformat(stage["by"]), today)
        if last < first:
            stage["so_far"] = 0
        else:
            lo = datetime.combine(first, time.min, tzinfo=zone)
            hi = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
            if stage["stage"] == STAGES[0]:
                rows = Person.objects.filter(created_at__gte=lo, created_at__lt=hi)
                stage["so_far"] = rows.count()
            else:
                moves = StageTransition.objects.filter(
                    to_stage=stage["stage"], at__gte=lo, at__lt=hi
                )
                stage["so_far"] = moves.values("person_id").distinct().count()
        stage["to_go"] = max(0, stage["needed"] - stage["so_far"])


def plan_goals(found: dict[str, Any]) -> list[dict[str, str]]:
    """The goals a plan asks of each team: Marketing's new leads and MQLs, Sales'
    pipeline created and revenue won, each in the window its stage must be reached."""
    stages = {s["stage"]: s for s in found["stages"]}
    deal = Decimal(found["deal_size"])

    def window(stage: str) -> str:
        return f"{stages[stage]['from']}..{stages[stage]['by']}"

    pipeline = (deal * stages["opportunity"]["needed"]).quantize(Decimal("0.01"))
    return [
        {
            "team": "marketing",
            "metric": "new_leads",
            "period": window("lead"),
            "target": str(stages["lead"]["needed"]),
        },
        {
            "team": "marketing",
            "metric": "mqls",
            "period": window("mql"),
            "target": str(stages["mql"]["needed"]),
        },
        {
            "team": "sales",
            "metric": "pipeline_created",
            "period": window("opportunity"),
            "target": str(pipeline),
        },
        {
            "team": "sales",
            "metric": "revenue_won",
            "period": found["period"],
            "target": found["revenue"],
        },
    ]


def do_create_plan_goals(
    request: PlanRequest, *, by: User | None, now: datetime | None = None
) -> dict[str, Any]:
    """Make the plan's goals for both teams in one transaction. A stage whose window
    has already ended is skipped (and said); any other refusal sets none of them."""
    now = now or timezone.now()
    for team in ("marketing", "sales"):
        check_can_set_goal(by, team)
    found = make_plan(request, now)
    note = f"From the plan for {request.currency} {request.revenue} in {request.period.label}."
    made: list[Goal] = []
    skipped: list[dict[str, str]] = []
    today = timezone.localdate(now)
    with transaction.atomic():
        for wanted in plan_goals(found):
            period = parse_period(wanted["period"], today)
            if period.end <= today:
                skipped.append({**wanted, "reason": f"its window ended on {period.last_day}"})
                continue
            try:
                goal, _ = do_set_goal(
                    **wanted, currency=request.currency, by=by, note=note, now=now
                )
            except GoalInvalid as exc:
                raise GoalInvalid(tuple(f"{wanted['metric']}: {r}" for r in exc.reasons)) from None
            made.append(goal)
    return {"plan": found, "goals": [g.pk for g in made], "skipped": skipped}
