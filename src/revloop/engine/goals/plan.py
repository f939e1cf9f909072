"""The reverse funnel: from a revenue target back to the customers, opportunities, SQLs,
SALs, MQLs and new leads needed, and by when each must exist.

Every count is rounded up at each stage (a fraction of a lead is a lead to find):
customers = ⌈revenue ÷ average deal⌉, then each earlier stage = ⌈next stage ÷ the step's
conversion rate⌉. To land *inside* the period, people must reach a stage within the
period moved back by the median days still to go from that stage to a win (the sum of
the later steps' median lags, whole days rounded up): the window's last day is the
date by which the stage's people must exist.

Rates and lags come with what they rest on (converted of reached, lags over how many
conversions); a step resting on fewer than :data:`THIN_HISTORY` people, or a
deal size on fewer than :data:`THIN_DEALS` wins, is warned about. Per channel, the
target is split by each channel's share of past customers, and a channel's step with
thin history borrows the company's overall rate (said in the warnings).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from revloop.engine.goals.periods import Period
from revloop.engine.vocabulary import SUCCESS_PATH

THIN_HISTORY = 30
THIN_DEALS = 10
STAGES: tuple[str, ...] = tuple(s.value for s in SUCCESS_PATH)


class PlanError(ValueError):
    """The history cannot support a plan; the message says which figure is missing."""


@dataclass(frozen=True, slots=True)
class Step:
    """One stage-to-stage step as measured: ``converted`` of the ``reached`` people of
    cohorts old enough to have converted, and the median days to convert over ``lag_n``
    conversions."""

    from_stage: str
    to_stage: str
    converted: int
    reached: int
    lag_days: float | None
    lag_n: int
    borrowed: bool = False

    @property
    def rate(self) -> float | None:
        return self.converted / self.reached if self.reached else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "rate": self.rate,
            "converted": self.converted,
            "reached": self.reached,
            "lag_days": self.lag_days,
            "lag_n": self.lag_n,
            "borrowed_from_overall": self.borrowed,
        }


@dataclass(frozen=True, slots=True)
class History:
    """The measured funnel: the five steps lead → … → customer in order, and the
    average won deal (``deal_size`` over ``deals`` wins, in ``currency``)."""

    steps: tuple[Step, ...]
    deal_size: Decimal
    deals: int
    currency: str

    def __post_init__(self) -> None:
        path = tuple((s.from_stage, s.to_stage) for s in self.steps)
        if path != tuple(itertools.pairwise(STAGES)):
            raise ValueError(f"steps must be {STAGES} in order, got {path}")


@dataclass(frozen=True, slots=True)
class StageNeed:
    stage: str
    needed: int
    #: Days still to go from this stage to a win (sum of the later medians).
    days_to_win: int
    window_from: date
    #: The last day people may reach this stage and still win inside the period.
    window_by: date

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "needed": self.needed,
            "days_to_win": self.days_to_win,
            "from": self.window_from.isoformat(),
            "by": self.window_by.isoformat(),
        }


@dataclass(frozen=True)
class Plan:
    revenue: Decimal
    currency: str
    period: Period
    stages: tuple[StageNeed, ...]
    history: History
    channel: str | None = None
    share: float | None = None
    warnings: tuple[str, ...] = field(default=())

    def need(self, stage: str) -> StageNeed:
        return next(s for s in self.stages if s.stage == stage)

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "share": self.share,
            "revenue": str(self.revenue),
            "currency": self.currency,
            "period": self.period.label,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.last_day.isoformat(),
            "deal_size": str(self.history.deal_size),
            "deals": self.history.deals,
            "stages": [s.as_dict() for s in self.stages],
            "rates": [s.as_dict() for s in self.history.steps],
            "warnings": list(self.warnings),
        }


def _up(value: float) -> int:
    # Rates are floats: 40 ÷ 0.5 may come out as 80.00000000001, which is still 80.
    return max(0, math.ceil(value - 1e-9))


def reverse_funnel(revenue: Decimal, period: Period, history: History, today: date) -> Plan:
    """The plan for ``revenue`` in ``period`` (module docstring)."""
    if revenue <= 0:
        raise PlanError(f"revenue: {revenue} must be above 0")
    if history.deals == 0 or history.deal_size <= 0:
        raise PlanError(f"deal size: no won deal in {history.currency} to take an average from")
    warnings: list[str] = []
    needed = {"customer": _up(float(revenue / history.deal_size))}
    for step in reversed(history.steps):
        if step.rate is None or step.rate == 0:
            raise PlanError(
                f"rate {step.from_stage} → {step.to_stage}: {step.converted} of "
                f"{step.reached} reached it; no plan can rest on that"
            )
        needed[step.from_stage] = _up(needed[step.to_stage] / step.rate)
        if step.reached < THIN_HISTORY and not step.borrowed:
            warnings.append(
                f"thin history: {step.from_stage} → {step.to_stage} rests on "
                f"{step.converted} of {step.reached} people"
            )
        if step.lag_days is None:
            warnings.append(
                f"no lag measured for {step.from_stage} → {step.to_stage}: counted as 0 days"
            )
    if history.deals < THIN_DEALS:
        warnings.append(f"thin history: the average deal rests on {history.deals} won deals")
    stages = []
    to_go = 0
    lags = {s.from_stage: math.ceil(s.lag_days or 0.0) for s in history.steps}
    for stage in reversed(STAGES):
        to_go += lags.get(stage, 0)
        first = period.start - timedelta(days=to_go)
        last = period.last_day - timedelta(days=to_go)
        stages.append(StageNeed(stage, needed[stage], to_go, first, last))
        if last < today:
            warnings.append(
                f"too late at the usual pace: {stage} stage needed by {last.isoformat()}, "
                "which has passed"
            )
    return Plan(
        revenue=revenue,
        currency=history.currency,
        period=period,
        stages=tuple(reversed(stages)),
        history=history,
        warnings=tuple(warnings),
    )


def reverse_funnel_by_channel(
    revenue: Decimal,
    period: Period,
    overall: History,
    channels: Mapping[str, tuple[tuple[Step, ...], int]],
    today: date,
) -> list[Plan]:
    """One plan per channel: ``channels`` maps a channel to its measured steps and its
    past customers; the revenue is split by those customers (module docstring)."""
    total = sum(customers for _, customers in channels.values())
    if total == 0:
        raise PlanError("channel mix: no channel has won a customer yet")
    plans = []
    for name in sorted(channels, key=lambda c: (-channels[c][1], c)):
        steps, customers = channels[name]
        if customers == 0:
            continue
        share = customers / total
        mine = []
        notes = []
        for own, company in zip(steps, overall.steps, strict=True):
            if own.reached < THIN_HISTORY or not own.converted:
                mine.append(replace(company, borrowed=True))
                notes.append(
                    f"{name}: {own.from_stage} → {own.to_stage} rests on {own.converted} of "
                    f"{own.reached}; the company's rate is used"
                )
            else:
                mine.append(own)
        history = replace(overall, steps=tuple(mine))
        part = (revenue * Decimal(customers) / Decimal(total)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        plan = reverse_funnel(part, period, history, today)
        plans.append(replace(plan, channel=name, share=share, warnings=(*notes, *plan.warnings)))
    return plans
