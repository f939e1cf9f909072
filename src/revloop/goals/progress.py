"""Every goal's pacing: the metric's year of history from the database, the maths from
the engine (:mod:`revloop.engine.goals.pacing`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from revloop.core.errors import NotFoundError
from revloop.engine.goals import METRICS, Team, pace
from revloop.goals.metrics import daily_series
from revloop.goals.models import Goal

_CENT = Decimal("0.01")
#: The order goals are shown in: Marketing's, then Sales', then groups of reps.
_TEAM_ORDER = {Team.MARKETING.value: 0, Team.SALES.value: 1, Team.GROUP.value: 2}


def _number(value: float | None, kind: str) -> Any:
    """Money as a Decimal (cents), counts and days as plain numbers, shares to 4 places."""
    if value is None:
        return None
    if kind == "money":
        return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    if kind == "rate":
        return round(value, 4)
    return round(value, 1)


def goal_progress(goal: Goal, now: datetime | None = None) -> dict[str, Any]:
    """One goal with its actual, expected, forecast (90% interval) and status."""
    now = timezone.localtime(now or timezone.now())
    metric = METRICS[goal.metric]
    period = goal.period
    first = period.start - timedelta(days=366)
    end = min(period.end, timezone.localdate(now) + timedelta(days=1))
    history = daily_series(
        metric.name,
        first,
        max(end, first + timedelta(days=1)),
        team=Team(goal.team),
        group=goal.group,
        currency=goal.currency,
        today=timezone.localdate(now),
    )
    found = pace(metric, float(goal.target), period, now, history)
    kind = metric.kind
    return {
        "id": goal.pk,
        "team": goal.team,
        "group": goal.group,
        "owner": goal.owner_label,
        "metric": metric.name,
        "metric_label": metric.label,
        "kind": kind,
        "unit": goal.currency if kind == "money" else metric.unit,
        "counts": metric.counts,
        "higher_is_better": metric.higher_is_better,
        "period": period.label,
        "period_start": period.start,
        "period_last_day": period.last_day,
        "currency": goal.currency or None,
        "target": _number(float(goal.target), kind),
        "relative": None
        if goal.change is None
        else {
            "change": float(goal.change),
            "baseline": goal.baseline,
            "baseline_value": _number(
                None if goal.baseline_value is None else float(goal.baseline_value), kind
            ),
        },
        "actual": _number(found.actual, kind),
        "expected": _number(found.expected, kind),
        "forecast": _number(found.forecast, kind),
        "interval": [_number(found.low, kind), _number(found.high, kind)],
        "interval_level": 0.9,
        "status": found.status,
        "method": found.method,
        "started": found.started,
        "elapsed_share": round(found.elapsed_share, 4),
        "expected_share": round(found.expected_share, 4),
        "events": found.events,
        "basis": found.basis,
        "note": goal.note,
        "set_by": goal.created_by.username if goal.created_by else None,
        "updated_at": goal.updated_at,
    }


def _goals() -> QuerySet[Goal]:
    return Goal.objects.select_related("created_by")


def board(
    now: datetime | None = None, *, include_ended: bool = False, team: str | None = None
) -> list[dict[str, Any]]:
    """Goals whose period has not ended (or all), Marketing's first, each with pacing."""
    now = now or timezone.now()
    goals = _goals()
    if not include_ended:
        goals = goals.filter(period_end__gt=timezone.localdate(now))
    if team:
        goals = goals.filter(team=team)
    ordered = sorted(
        goals, key=lambda g: (g.period_start, _TEAM_ORDER.get(g.team, 3), g.group, g.metric)
    )
    return [goal_progress(goal, now) for goal in ordered]


def get_goal(pk: int | str) -> Goal:
    text = str(pk).strip()
    goal = _goals().filter(pk=int(text)).first() if text.isdigit() else None
    if goal is None:
        raise NotFoundError(f"no goal with id {text}")
    return goal


def home_goals(now: datetime | None = None, limit: int = 8) -> list[dict[str, Any]]:
    """What leads the home page: the goals of periods under way, else the next ones."""
    now = now or timezone.now()
    today: date = timezone.localdate(now)
    goals = list(_goals().filter(period_end__gt=today).order_by("period_start", "team", "metric"))
    running = [g for g in goals if g.period_start <= today]
    if not running and goals:
        running = [g for g in goals if g.period_start == goals[0].period_start]
    chosen = running
    chosen = sorted(chosen, key=lambda g: (_TEAM_ORDER.get(g.team, 3), g.group, g.metric))[:limit]
    return [goal_progress(goal, now) for goal in chosen]
