"""Honest pipeline: checks that catch stuffing, per-rep health, and a forecast from history."""

from __future__ import annotations

from revloop.engine.pipeline.burst import Burst, bursts, quarter_label, quarter_start
from revloop.engine.pipeline.checks import (
    Check,
    CheckResult,
    Flag,
    StageTimes,
    check_pipeline,
    stage_times,
)
from revloop.engine.pipeline.data import PipelineData, PipelineDataError
from revloop.engine.pipeline.state import OPEN_STAGES, open_at, state
from revloop.engine.pipeline.tables import FORECAST_CATEGORY_KEYS, from_tables

__all__ = [
    "FORECAST_CATEGORY_KEYS",
    "OPEN_STAGES",
    "Burst",
    "Check",
    "CheckResult",
    "Flag",
    "PipelineData",
    "PipelineDataError",
    "StageTimes",
    "bursts",
    "check_pipeline",
    "from_tables",
    "open_at",
    "quarter_label",
    "quarter_start",
    "stage_times",
    "state",
]
