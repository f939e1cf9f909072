"""Pacing of a goal: actual to date, expected to date, a forecast of the period's end
with a 90% interval, and a status.

The metric's history comes as daily sums from some day up to today: ``value`` (events,
money, successes, or days), ``count`` (events, or trials for a rate) and ``square`` (the
sum of squared values, for the spread of money and of days).

- **Expected share** of the period's total by now: the elapsed share of days (*linear*),
  or, once the year before the period is covered by data, the mean share the periods of
  that year (4 quarters, 12 months, ...) had reached at the same point (*seasonal*).
- **Totals** (counts, money): the period's total is estimated by weighing this period's
  pace (actual ÷ expected share) against the past year's daily rate, trusting the pace
  in proportion to the share already expected. The rest of the period is a compound
  Poisson sum: events arrive at the estimated rate, each of the size seen so far
  (mean and spread), widened by how much the past periods' totals varied.
- **Rates and means**: expected to date is the target itself. The rest of the period's
  trials are expected at the estimated pace; their outcome at this period's rate so far,
  shrunk towards the past year's rate (which counts as :data:`PRIOR_WEIGHT` trials).
- **Status**, for a metric where more is better (mirrored for the sales cycle):
  *ahead* when even the interval's pessimistic end reaches the target, *on track* when
  the forecast does, *at risk* when only the optimistic end does, *behind* otherwise.
  With nothing to forecast from (no trial yet and no past), a goal is *at risk*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from revloop.engine.goals.catalogue import Metric
from revloop.engine.goals.periods import Period

Status = Literal["ahead", "on_track", "at_risk", "behind"]
STATUSES: tuple[Status, ...] = ("ahead", "on_track", "at_risk", "behind")
#: Two-sided 90% normal interval.
Z90 = 1.6448536269514722
#: How many trials the past year's rate counts for against this period's own.
PRIOR_WEIGHT = 20.0

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class DailySeries:
    """Daily sums from ``start`` (module docstring); all arrays have one length."""

    start: date
    value: Floats
    count: Floats
    square: Floats

    @staticmethod
    def of(
        start: date,
        days: int,
        rows: dict[date, tuple[float, float, float]],
    ) -> DailySeries:
        """From ``{day: (value, count, square)}``; days outside the span are ignored."""
        arrays = np.zeros((3, max(days, 0)), dtype=np.float64)
        for day, sums in rows.items():
            at = (day - start).days
            if 0 <= at < days:
                arrays[:, at] += sums
        return DailySeries(start, arrays[0], arrays[1], arrays[2])

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.value))

    def window(self, first: date, end: date) -> tuple[Floats, Floats, Floats]:
        """The days ``[first, end)`` that the series holds."""
        lo = max(0, (first - self.start).days)
        hi = max(lo, min(len(self.value), (end - self.start).days))
        return self.value[lo:hi], self.count[lo:hi], self.square[lo:hi]


@dataclass(frozen=True)
class Pacing:
    target: float
    actual: float | None
    expected: float | None
    forecast: float | None
    low: float | None
    high: float | None
    status: Status
    method: Literal["linear", "seasonal"]
    started: bool
    #: Share of the period's days gone, and share of its total expected by now.
    elapsed_share: float
    expected_share: float
    #: Events (or trials) so far in the period, and what the forecast rests on.
    events: float
    basis: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "actual": self.actual,
            "expected": self.expected,
            "forecast": self.forecast,
            "interval": [self.low, self.high],
            "status": self.status,
            "method": self.method,
            "started": self.started,
            "elapsed_share": self.elapsed_share,
            "expected_share": self.expected_share,
            "events": self.events,
            "basis": self.basis,
        }


def _cumulative_share(values: Floats, days: float) -> float:
    """Share of ``values``' total reached after ``days`` days (linear within a day)."""
    total = float(values.sum())
    if total <= 0:
        return days / len(values) if len(values) else 0.0
    cum = np.concatenate(([0.0], np.cumsum(values)))
    return float(np.interp(days, np.arange(len(cum), dtype=np.float64), cum)) / total


def elapsed_days(period: Period, as_of: datetime) -> float:
    """Days of ``period`` gone by ``as_of`` (0 before it starts, its length after)."""
    begins = datetime.combine(period.start, time.min, tzinfo=as_of.tzinfo)
    gone = (as_of - begins).total_seconds() / 86400
    return min(max(gone, 0.0), float(period.days))


def _status(
    metric: Metric, target: float, forecast: float | None, low: float | None, high: float | None
) -> Status:
    if forecast is None or low is None or high is None:
        return "at_risk"
    if not metric.higher_is_better:
        target, forecast, low, high = -target, -forecast, -high, -low
    if low >= target:
        return "ahead"
    if forecast >= target:
        return "on_track"
    if high >= target:
        return "at_risk"
    return "behind"


@dataclass(frozen=True)
class _Context:
    """What this period and the year before it hold, seen from ``as_of``."""

    fraction: float
    share: float
    method: Literal["linear", "seasonal"]
    value: Floats
    count: Floats
    square: Floats
    past: list[tuple[Floats, Floats, Floats]]
    past_days: int
    past_value: float
    past_count: float
    second_moment: float
    basis: dict[str, Any]

    def estimate_total(self, so_far: float, past_total: float, days: int) -> float | None:
        """The period's total: its own pace weighed against the past year's rate."""
        own = so_far / self.share if self.share > 0 else None
        before = past_total / self.past_days * days if self.past_days else None
        if own is None:
            return before
        if before is None:
            return own
        return self.share * own + (1 - self.share) * before


def _context(metric: Metric, period: Period, as_of: datetime, history: DailySeries) -> _Context:
    fraction = elapsed_days(period, as_of) / period.days
    value, count, square = history.window(period.start, period.end)
    wanted = period.preceding_year()
    past = [p for p in wanted if p.start >= history.start]
    windows = [history.window(p.start, p.end) for p in past]
    covered = len(past) == len(wanted) and all(
        len(w[0]) == p.days for p, w in zip(past, windows, strict=True)
    )
    # Rates and means spread their trials over the period, totals their value.
    shapes = [w[1] if metric.kind in ("rate", "mean") else w[0] for w in windows]
    seasonal = covered and all(float(s.sum()) > 0 for s in shapes)
    share = (
        float(np.mean([_cumulative_share(s, fraction * len(s)) for s in shapes]))
        if seasonal
        else fraction
    )
    past_value = sum(float(w[0].sum()) for w in windows)
    past_count = sum(float(w[1].sum()) for w in windows)
    all_count = float(count.sum()) + past_count
    squares = float(square.sum()) + sum(float(w[2].sum()) for w in windows)
    past_days = sum(len(w[0]) for w in windows)
    return _Context(
        fraction=fraction,
        share=share,
        method="seasonal" if seasonal else "linear",
        value=value,
        count=count,
        square=square,
        past=windows,
        past_days=past_days,
        past_value=past_value,
        past_count=past_count,
        second_moment=squares / all_count if all_count else 0.0,
        basis={
            "past_periods": [p.label for p in past],
            "past_days": past_days,
            "past_value": past_value,
            "past_events": past_count,
        },
    )


def _remaining_events(ctx: _Context, days: int) -> float:
    total = ctx.estimate_total(float(ctx.count.sum()), ctx.past_count, days)
    if ctx.share >= 1 or total is None:
        return 0.0
    return (1 - ctx.share) * total


Forecast = tuple[float | None, float | None, float | None]


def _total_forecast(metric: Metric, period: Period, ctx: _Context, actual: float) -> Forecast:
    if ctx.share >= 1 or ctx.fraction >= 1:
        return actual, actual, actual
    total = ctx.estimate_total(actual, ctx.past_value, period.days)
    if total is None:
        return None, None, None
    remaining = (1 - ctx.share) * total
    per_event = ctx.second_moment if metric.kind == "money" else 1.0
    variance = _remaining_events(ctx, period.days) * per_event
    daily = [float(w[0].sum()) / len(w[0]) for w in ctx.past if len(w[0])]
    if len(daily) >= 2 and np.mean(daily) > 0:
        # Periods vary more than a Poisson count does: widen by how much they did.
        spread = float(np.std(daily, ddof=1) / np.mean(daily))
        variance += (remaining * spread) ** 2
    sd = math.sqrt(variance)
    forecast = actual + remaining
    return forecast, max(actual, forecast - Z90 * sd), forecast + Z90 * sd


def _ratio_forecast(metric: Metric, period: Period, ctx: _Context) -> Forecast:
    successes, events = float(ctx.value.sum()), float(ctx.count.sum())
    own = successes / events if events else None
    prior = ctx.past_value / ctx.past_count if ctx.past_count else own
    if prior is None:
        return None, None, None
    weight = PRIOR_WEIGHT if ctx.past_count else 0.0
    rate = (successes + weight * prior) / (events + weight)
    remaining = _remaining_events(ctx, period.days)
    trials = events + remaining
    if trials <= 0:
        return None, None, None
    forecast = (successes + rate * remaining) / trials
    per_trial = rate * (1 - rate) if metric.kind == "rate" else max(ctx.second_moment - rate**2, 0)
    # The rest's own noise, plus the uncertainty of the rate it is expected at.
    variance = remaining * per_trial + remaining**2 * per_trial / max(events + weight, 1.0)
    sd = math.sqrt(variance) / trials
    high = forecast + Z90 * sd
    return (
        forecast,
        max(0.0, forecast - Z90 * sd),
        min(1.0, high) if metric.kind == "rate" else high,
    )


def pace(
    metric: Metric, target: float, period: Period, as_of: datetime, history: DailySeries
) -> Pacing:
    """The goal's pacing (module docstring). ``history`` should start a year before the
    period (for the seasonal shape and the past rate) and run to ``as_of``."""
    ctx = _context(metric, period, as_of, history)
    started = ctx.fraction > 0
    events = float(ctx.count.sum())
    if metric.cumulative:
        actual: float | None = float(ctx.value.sum())
        expected: float | None = target * ctx.share
        forecast, low, high = _total_forecast(metric, period, ctx, float(ctx.value.sum()))
        basis = ctx.basis
    else:
        actual = float(ctx.value.sum()) / events if events else None
        expected = target if started else None
        forecast, low, high = _ratio_forecast(metric, period, ctx)
        past_rate = ctx.past_value / ctx.past_count if ctx.past_count else None
        basis = {**ctx.basis, "past_rate": past_rate}
    return Pacing(
        target=target,
        actual=actual,
        expected=expected,
        forecast=forecast,
        low=low,
        high=high,
        status=_status(metric, target, forecast, low, high),
        method=ctx.method,
        started=started,
        elapsed_share=ctx.fraction,
        expected_share=ctx.share,
        events=events,
        basis=basis,
    )
