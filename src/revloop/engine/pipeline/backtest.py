"""The forecast backtested: each past quarter forecast from its first day, with only
what was known then, against the revenue actually won in it, beside the naive
baseline (open pipeline times the overall win rate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from revloop.engine.pipeline.data import PipelineData
from revloop.engine.pipeline.forecast import LEVEL, Period, forecast, won_between


@dataclass(frozen=True)
class BacktestRow:
    period: str
    forecast: float
    low: float
    high: float
    naive: float
    actual: float
    actual_from_open: float
    forecast_from_open: float

    def as_dict(self) -> dict[str, Any]:
        return {
            k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()
        } | {"covered": self.low <= self.actual <= self.high}


@dataclass(frozen=True)
class Backtest:
    rows: list[BacktestRow]
    level: float

    @staticmethod
    def _mape(pairs: list[tuple[float, float]]) -> tuple[float | None, int]:
        usable = [(f, a) for f, a in pairs if a > 0]
        if not usable:
            return None, 0
        return float(np.mean([abs(f - a) / a for f, a in usable])), len(usable)

    def as_dict(self) -> dict[str, Any]:
        model, used = self._mape([(r.forecast, r.actual) for r in self.rows])
        naive, _ = self._mape([(r.naive, r.actual) for r in self.rows])
        covered = sum(r.low <= r.actual <= r.high for r in self.rows)
        return {
            "quarters": [r.as_dict() for r in self.rows],
            "mape": None if model is None else round(model, 4),
            "naive_mape": None if naive is None else round(naive, 4),
            "mape_quarters": used,
            "coverage": {
                "level": self.level,
                "rate": round(covered / len(self.rows), 4) if self.rows else None,
                "numerator": covered,
                "denominator": len(self.rows),
            },
        }


def backtest(data: PipelineData, now: dt.datetime, quarters: int, *, seed: int = 0) -> Backtest:
    """Forecast each of the last ``quarters`` whole quarters from its first day, with
    only what was known then, and compare with the revenue actually won in it.

    Quarters whose forecast would rest on thin history (see :data:`MIN_WEEKS`) are
    left out, and so is every quarter before them."""
    rows: list[BacktestRow] = []
    period = Period.quarter_of(now.date())
    for _ in range(quarters):
        period = Period.quarter_of((period.start - dt.timedelta(days=1)).date())
        if data.opportunities.filter(pl.col("created_at") < period.start).height == 0:
            break
        result = forecast(data, period.start, period, seed=seed)
        if result.model is None or result.model.thin:
            break  # earlier quarters have even less history to learn from
        open_ids = result.deals.get_column("id").to_list()
        actual_open = data.opportunities.filter(
            pl.col("id").is_in(open_ids)
            & (pl.col("stage") == "won")
            & (pl.col("closed_at") >= period.start)
            & (pl.col("closed_at") < period.end)
        )
        rows.append(
            BacktestRow(
                period=period.label,
                forecast=result.expected,
                low=result.low,
                high=result.high,
                naive=result.naive,
                actual=won_between(data, period.start, period.end),
                actual_from_open=float(actual_open.get_column("amount").sum() or 0.0),
                forecast_from_open=result.expected_open,
            )
        )
    return Backtest(list(reversed(rows)), LEVEL)
