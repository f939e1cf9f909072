"""Shared goals and planning: goal periods, the metric catalogue, SMART validation,
pacing and forecast, and the reverse funnel."""

from revloop.engine.goals.catalogue import METRICS, Metric, MetricKind, Team, metric_named
from revloop.engine.goals.pacing import STATUSES, DailySeries, Pacing, Status, pace
from revloop.engine.goals.periods import Period, PeriodError, parse_period
from revloop.engine.goals.plan import (
    STAGES,
    THIN_DEALS,
    THIN_HISTORY,
    History,
    Plan,
    PlanError,
    StageNeed,
    Step,
    reverse_funnel,
    reverse_funnel_by_channel,
)
from revloop.engine.goals.validation import BASELINES, GoalRefused, GoalSpec, check_goal

__all__ = [
    "BASELINES",
    "METRICS",
    "STAGES",
    "STATUSES",
    "THIN_DEALS",
    "THIN_HISTORY",
    "DailySeries",
    "GoalRefused",
    "GoalSpec",
    "History",
    "Metric",
    "MetricKind",
    "Pacing",
    "Period",
    "PeriodError",
    "Plan",
    "PlanError",
    "StageNeed",
    "Status",
    "Step",
    "Team",
    "check_goal",
    "metric_named",
    "pace",
    "parse_period",
    "reverse_funnel",
    "reverse_funnel_by_channel",
]
