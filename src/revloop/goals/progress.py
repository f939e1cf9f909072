"""Every goal's pacing: the metric's year of history from the database, the maths from
the engine (:mod:`revloop.engine.goals.pacing`).

The daily history of a goal is kept in the analytics report cache until the data
changes (:func:`revloop.analytics.cache.data_version`) or the day does, so a page of
goals costs a few index look-ups once computed; only the pacing, which moves with the
clock, is worked out on each view. Sales' SLA compliance reads clocks that stop and
breach in place, which the data version does not see: it is always read afresh.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from revloop.analytics.cache import cache_key, cached, data_version
from revloop.analytics.models import ReportCache
from revloop.core.bounds import parse_id
from revloop.core.errors import NotFoundError
from revloop.engine.goals import METRICS, DailySeries, Team, pace
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


#: Metrics whose records change in place, unseen by the data version: never cached.
_LIVE = frozenset({"sales_sla_compliance"})
_CACHE_REPORT = "goal_series"


def _span(goal: Goal, today: date) -> tuple[date, date]:
    """A year before the period (for its shape and past rate) up to today."""
    first = goal.period_start - timedelta(days=366)
    end = min(goal.period_end, today + timedelta(days=1))
    return first, max(end, first + timedelta(days=1))


def _load(goal: Goal, today: date) -> DailySeries:
    first, end = _span(goal, today)
    return daily_series(
        goal.metric,
        first,
        end,
        team=Team(goal.team),
        group=goal.group,
        currency=goal.currency,
        today=today,
    )


def _params(goal: Goal, today: date) -> dict[str, Any]:
    first, end = _span(goal, today)
    return {
        "metric": goal.metric,
        "team": goal.team,
        "group": goal.group,
        "currency": goal.currency,
        "first": first.isoformat(),
        "end": end.isoformat(),
        "today": today.isoformat(),
        "zone": timezone.get_current_timezone_name(),
    }


def _from_json(stored: dict[str, Any]) -> DailySeries:
    return DailySeries(
        date.fromisoformat(stored["start"]),
        np.asarray(stored["value"], dtype=np.float64),
        np.asarray(stored["count"], dtype=np.float64),
        np.asarray(stored["square"], dtype=np.float64),
    )


def _to_json(series: DailySeries) -> dict[str, Any]:
    return {
        "start": series.start.isoformat(),
        "value": series.value.tolist(),
        "count": series.count.tolist(),
        "square": series.square.tolist(),
    }


def _computed(goal: Goal, today: date) -> dict[str, Any]:
    return _to_json(_load(goal, today))


def histories(goals: list[Goal], today: date) -> dict[int, DailySeries]:
    """Each goal's daily history, from the cache where the data has not changed."""
    found: dict[int, DailySeries] = {}
    keep = [g for g in goals if g.metric not in _LIVE]
    version = data_version() if keep else ""
    keys = {g.pk: cache_key(_CACHE_REPORT, _params(g, today), "database") for g in keep}
    stored = (
        dict(
            ReportCache.objects.filter(key__in=keys.values(), data_version=version).values_list(
                "key", "result"
            )
        )
        if keys
        else {}
    )
    for goal in goals:
        key = keys.get(goal.pk)
        if key is None:
            found[goal.pk] = _load(goal, today)
        elif key in stored:
            found[goal.pk] = _from_json(stored[key])
        else:
            computed = cached(
                _CACHE_REPORT,
                _params(goal, today),
                "database",
                partial(_computed, goal, today),
                fresh=True,
                version=version,
            )
            found[goal.pk] = _from_json(computed)
    return found


def goal_progress(
    goal: Goal, now: datetime | None = None, history: DailySeries | None = None
) -> dict[str, Any]:
    """One goal with its actual, expected, forecast (90% interval) and status."""
    now = timezone.localtime(now or timezone.now())
    metric = METRICS[goal.metric]
    period = goal.period
    if history is None:
        history = histories([goal], timezone.localdate(now))[goal.pk]
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
    return _progress_of(ordered, now)


def _progress_of(goals: list[Goal], now: datetime) -> list[dict[str, Any]]:
    found = histories(goals, timezone.localdate(now))
    return [goal_progress(goal, now, found[goal.pk]) for goal in goals]


def get_goal(pk: int | str) -> Goal:
    text = str(pk).strip()
    found = parse_id(text)
    goal = _goals().filter(pk=found).first() if found is not None else None
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
    return _progress_of(chosen, now)
