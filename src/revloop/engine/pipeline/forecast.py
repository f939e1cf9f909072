"""Revenue forecast for a period from the open pipeline, by what history says such deals do.

Each open deal gets the probability that it is won inside the period, learned from
weekly snapshots of the past pipeline: deals that stood in the same stage, as long
in it (fresh up to the stage's median time, aging up to its 90th percentile, stale
beyond), in the same size band and with the same rep, and whether they were won in
the same window after the snapshot. The stage's rate is shrunk toward the overall
rate, and age, size and rep act as factors of observed over expected wins shrunk
toward 1, so thin data moves a deal little. Deals not yet created are added at the
rate at which past quarters won revenue from deals created in the same stretch.

The interval comes from simulating each deal as a coin with its probability (plus a
draw of a past quarter's new-deal revenue); it states its level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from revloop.engine.pipeline.burst import next_quarter, quarter_label, quarter_start
from revloop.engine.pipeline.checks import stage_times
from revloop.engine.pipeline.data import UTC_US, PipelineData
from revloop.engine.pipeline.health import known_at
from revloop.engine.pipeline.state import open_at, state

WEEK = dt.timedelta(days=7)
#: Prior strength of the shrinkage, in deal-weeks.
PRIOR = 30.0
DRAWS = 4000
#: Fewer weekly snapshots than a quarter's worth is thin history: the forecast says so
#: and the backtest does not score it.
MIN_WEEKS = 13
LEVEL = 0.9
SIZE_BANDS = ("small", "medium", "large")
AGE_BANDS = ("fresh", "aging", "stale")
COMMIT = "commit"
BEST_CASE = "best_case"


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    label: str

    @classmethod
    def quarter_of(cls, day: dt.date) -> Period:
        start = quarter_start(day)
        return cls(_utc(start), _utc(next_quarter(start)), quarter_label(start))

    def following(self) -> Period:
        return Period.quarter_of(self.end.date())


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@dataclass(frozen=True)
class WinModel:
    overall: float
    rows: int
    stage: dict[str, float]
    factors: dict[str, dict[str, float]]
    size_edges: tuple[float, float]
    age_days: dict[str, tuple[float, float]]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Weekly snapshots the rates were learned from.
    weeks: int = 0

    @property
    def thin(self) -> bool:
        return self.weeks < MIN_WEEKS

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall_rate": round(self.overall, 4),
            "snapshot_rows": self.rows,
            "snapshot_weeks": self.weeks,
            "thin_history": self.thin,
            "stage_rates": {k: round(v, 4) for k, v in sorted(self.stage.items())},
            "factors": {
                dim: {k: round(v, 3) for k, v in sorted(levels.items())}
                for dim, levels in self.factors.items()
            },
            "size_band_edges": [round(e, 2) for e in self.size_edges],
            "stage_age_days": {
                k: [round(a, 1), round(b, 1)] for k, (a, b) in self.age_days.items()
            },
            "rows_per_level": self.counts,
            "prior_strength": PRIOR,
        }


def _features(
    deals: pl.DataFrame, model_age: dict[str, tuple[float, float]], edges: tuple[float, float]
) -> pl.DataFrame:
    median = {k: v[0] for k, v in model_age.items()}
    p90 = {k: v[1] for k, v in model_age.items()}
    in_stage = (pl.col("as_of") - pl.col("stage_entered_at")).dt.total_seconds() / 86_400
    return deals.with_columns(
        age=pl.when(
            in_stage
            <= pl.col("stage_at").replace_strict(
                median, default=float("inf"), return_dtype=pl.Float64
            )
        )
        .then(pl.lit("fresh"))
        .when(
            in_stage
            <= pl.col("stage_at").replace_strict(p90, default=float("inf"), return_dtype=pl.Float64)
        )
        .then(pl.lit("aging"))
        .otherwise(pl.lit("stale")),
        # No amount recorded (CRM exports often leave lost and open deals at 0).
        size=pl.when(pl.col("amount_at") <= 0)
        .then(pl.lit("unknown"))
        .when(pl.col("amount_at") < edges[0])
        .then(pl.lit("small"))
        .when(pl.col("amount_at") < edges[1])
        .then(pl.lit("medium"))
        .otherwise(pl.lit("large")),
        rep=pl.col("owner_id").cast(pl.String).fill_null("unowned"),
    )


def _snapshots(
    data: PipelineData, now: dt.datetime, start_offset: dt.timedelta, end_offset: dt.timedelta
) -> pl.DataFrame:
    """Open deals at weekly past moments whose window [t + start, t + end) ended by now,
    labelled ``won`` when won inside it."""
    first = data.opportunities.get_column("created_at").min()
    if not isinstance(first, dt.datetime):
        return pl.DataFrame()
    frames = []
    moment = now - end_offset
    while moment > first:
        past = known_at(data, moment)
        deals = state(past, open_at(past, moment))
        if deals.height:
            frames.append(deals.with_columns(snapshot=pl.lit(moment).cast(UTC_US)))
        moment -= WEEK
    if not frames:
        return pl.DataFrame()
    rows = pl.concat(frames, how="vertical_relaxed").drop("stage", "closed_at")
    outcome = data.opportunities.select("id", "stage", "closed_at")
    return rows.join(outcome, on="id").with_columns(
        won=(pl.col("stage") == "won")
        & (pl.col("closed_at") >= pl.col("snapshot") + start_offset)
        & (pl.col("closed_at") < pl.col("snapshot") + end_offset)
    )


def fit(
    data: PipelineData, now: dt.datetime, start_offset: dt.timedelta, end_offset: dt.timedelta
) -> WinModel | None:
    """The win-in-window model from what was known at ``now``; ``None`` without history."""
    known = known_at(data, now)
    outcomes = data.opportunities.with_columns(
        closed_at=pl.when(pl.col("closed_at") < now).then(pl.col("closed_at")),
        stage=pl.when(pl.col("closed_at") < now).then(pl.col("stage")).otherwise(pl.lit("open")),
    ).filter(pl.col("created_at") < now)
    history = PipelineData(outcomes, known.changes, known.contacts, known.activity)
    rows = _snapshots(history, now, start_offset, end_offset)
    if rows.is_empty():
        return None
    medians = stage_times(known, 0.5).days
    p90s = stage_times(known, 0.9).days
    age_days = {s: (medians[s], p90s.get(s, medians[s])) for s in medians}
    amounts = rows.get_column("amount_at").to_numpy()
    recorded = amounts[amounts > 0]
    if not len(recorded):
        recorded = np.ones(1)
    edges = (float(np.quantile(recorded, 1 / 3)), float(np.quantile(recorded, 2 / 3)))
    # Rates are weighted by amount (in units of the mean deal), so they say what share
    # of the pipeline's value is won: big deals that rarely close count for more. A deal
    # with no amount recorded counts as a typical one.
    mean_amount = float(np.mean(recorded))
    rows = (
        _features(rows, age_days, edges)
        .with_columns(
            w=pl.when(pl.col("amount_at") > 0)
            .then(pl.col("amount_at") / mean_amount)
            .otherwise(1.0)
        )
        .with_columns(won=pl.col("won").cast(pl.Float64) * pl.col("w"))
    )
    weight = float(rows.get_column("w").sum())
    overall = float(rows.get_column("won").sum()) / max(weight, 1e-9)
    stage = {
        str(r["stage_at"]): (r["wins"] + PRIOR * overall) / (r["n"] + PRIOR)
        for r in rows.group_by("stage_at")
        .agg(pl.col("won").sum().alias("wins"), pl.col("w").sum().alias("n"))
        .iter_rows(named=True)
    }
    rows = rows.with_columns(
        p=pl.col("stage_at").replace_strict(stage, default=overall, return_dtype=pl.Float64)
    )
    factors: dict[str, dict[str, float]] = {}
    counts: dict[str, dict[str, int]] = {}
    for dim in ("age", "size", "rep"):
        table = rows.group_by(dim).agg(
            pl.col("won").sum().alias("o"),
            (pl.col("p") * pl.col("w")).sum().alias("e"),
            pl.len().alias("n"),
        )
        # Observed over expected wins, both padded with the prior's worth of expected
        # wins: a level seen rarely keeps a factor near 1.
        pad = PRIOR * max(overall, 1e-6)
        level = {str(r[dim]): (r["o"] + pad) / (r["e"] + pad) for r in table.iter_rows(named=True)}
        factors[dim] = level
        counts[dim] = {str(r[dim]): int(r["n"]) for r in table.iter_rows(named=True)}
        rows = rows.with_columns(
            p=pl.col("p") * pl.col(dim).replace_strict(level, default=1.0, return_dtype=pl.Float64)
        )
    weeks = rows.get_column("snapshot").n_unique()
    return WinModel(overall, rows.height, stage, factors, edges, age_days, counts, weeks)


def probabilities(model: WinModel, deals: pl.DataFrame) -> pl.DataFrame:
    """``deals`` (from :func:`state`) with the features and ``p``, each deal's chance."""
    out = _features(deals, model.age_days, model.size_edges).with_columns(
        p=pl.col("stage_at").replace_strict(
            model.stage, default=model.overall, return_dtype=pl.Float64
        )
    )
    for dim, level in model.factors.items():
        out = out.with_columns(
            p=pl.col("p") * pl.col(dim).replace_strict(level, default=1.0, return_dtype=pl.Float64)
        )
    return out.with_columns(p=pl.col("p").clip(0.0, 1.0))


def won_between(
    data: PipelineData,
    start: dt.datetime,
    end: dt.datetime,
    *,
    created_from: dt.datetime | None = None,
) -> float:
    rows = data.opportunities.filter(
        (pl.col("stage") == "won") & (pl.col("closed_at") >= start) & (pl.col("closed_at") < end)
    )
    if created_from is not None:
        rows = rows.filter(pl.col("created_at") >= created_from)
    return float(rows.get_column("amount").sum() or 0.0)


def new_deal_history(
    data: PipelineData, now: dt.datetime, period: Period, quarters: int = 4
) -> list[float]:
    """Revenue past quarters won from deals created in them after the same point the
    period is at now (all of the quarter for a period that has not started)."""
    elapsed = max(now - period.start, dt.timedelta(0))
    values: list[float] = []
    q = Period.quarter_of((period.start - dt.timedelta(days=1)).date())
    while len(values) < quarters and q.end <= now:
        cut = q.start + elapsed
        if data.opportunities.filter(pl.col("created_at") < q.start).height == 0:
            break
        values.append(won_between(data, cut, q.end, created_from=cut))
        q = Period.quarter_of((q.start - dt.timedelta(days=1)).date())
    return values


@dataclass(frozen=True)
class Forecast:
    period: Period
    as_of: dt.datetime
    won_to_date: float
    expected_open: float
    expected_new: float
    low: float
    high: float
    level: float
    open_amount: float
    open_deals: int
    commit: float | None
    best_case: float | None
    categories_present: bool
    naive: float
    overall_win_rate: float
    overall_won: int
    overall_closed: int
    new_deal_quarters: list[float]
    deals: pl.DataFrame
    model: WinModel | None

    @property
    def expected(self) -> float:
        return self.won_to_date + self.expected_open + self.expected_new

    def gap(self) -> dict[str, Any]:
        if not self.categories_present or self.commit is None:
            return {
                "explained": "The data has no forecast category (commit, best case) on its "
                "deals, so there is no rep-entered forecast to compare with."
            }
        doubted = (
            self.deals.filter(pl.col("category") == COMMIT)
            .with_columns(at_risk=pl.col("amount_at") * (1 - pl.col("p")))
            .sort("at_risk", descending=True)
            .head(5)
        )
        diff = self.expected - self.commit
        return {
            "expected_minus_commit": round(diff, 2),
            "explained": (
                f"History expects {abs(diff):,.0f} {'more' if diff >= 0 else 'less'} than "
                "the reps' commit: committed deals are counted at their historical chance "
                "of closing in the period, and deals outside commit still close at theirs."
            ),
            "committed_deals_history_doubts": [
                {
                    "opportunity": r["id"],
                    "amount": round(r["amount_at"], 2),
                    "probability": round(r["p"], 3),
                    "stage": r["stage_at"],
                    "age_in_stage": r["age"],
                    "size": r["size"],
                    "rep": r["rep"],
                }
                for r in doubted.iter_rows(named=True)
            ],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "from": self.period.start.date().isoformat(),
            "to": self.period.end.date().isoformat(),
            "as_of": self.as_of.isoformat(),
            "expected": round(self.expected, 2),
            "interval": {
                "level": self.level,
                "low": round(self.low, 2),
                "high": round(self.high, 2),
            },
            "won_to_date": round(self.won_to_date, 2),
            "expected_from_open_pipeline": round(self.expected_open, 2),
            "expected_from_new_deals": round(self.expected_new, 2),
            "new_deal_revenue_past_quarters": [round(v, 2) for v in self.new_deal_quarters],
            "open_pipeline": {"deals": self.open_deals, "amount": round(self.open_amount, 2)},
            "commit": None if self.commit is None else round(self.commit, 2),
            "best_case": None if self.best_case is None else round(self.best_case, 2),
            "forecast_category": "present" if self.categories_present else "absent",
            "gap": self.gap(),
            "naive": {
                "expected": round(self.naive, 2),
                "rule": "open pipeline x overall win rate",
                "win_rate": {
                    "rate": round(self.overall_win_rate, 4),
                    "numerator": self.overall_won,
                    "denominator": self.overall_closed,
                },
            },
            "model": None if self.model is None else self.model.as_dict(),
            "warning": self._warning(),
        }

    def _warning(self) -> str | None:
        if self.model is None:
            return "No history to learn from: no deal was open a period's length ago."
        if self.model.thin:
            return (
                f"Thin history: the rates rest on {self.model.weeks} weekly snapshots of the "
                f"pipeline (fewer than {MIN_WEEKS}); treat the forecast as rough."
            )
        return None


def _category(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower().replace(" ", "_").replace("-", "_")
    return {"commit": COMMIT, "best_case": BEST_CASE, "bestcase": BEST_CASE}.get(text, text)


def forecast(data: PipelineData, now: dt.datetime, period: Period, *, seed: int = 0) -> Forecast:
    """The period's expected revenue, as seen at ``now`` with only what was known then."""
    start_offset = max(period.start - now, dt.timedelta(0))
    end_offset = period.end - now
    known = known_at(data, now)
    model = fit(data, now, start_offset, end_offset)
    deals = state(known, open_at(known, now)).with_columns(
        category=pl.col("forecast_category").map_elements(_category, return_dtype=pl.String)
    )
    if model is not None:
        deals = probabilities(model, deals)
    else:
        deals = deals.with_columns(p=pl.lit(0.0), age=pl.lit(""), size=pl.lit(""), rep=pl.lit(""))
    amounts = deals.get_column("amount_at").to_numpy()
    p = deals.get_column("p").to_numpy()
    new = new_deal_history(data, now, period)
    expected_new = float(np.mean(new)) if new else 0.0
    rng = np.random.default_rng(seed)
    draws = (rng.random((DRAWS, len(p))) < p) @ amounts if len(p) else np.zeros(DRAWS)
    if new:
        draws = draws + rng.choice(np.asarray(new), DRAWS)
    won_to_date = won_between(data, period.start, now) if now > period.start else 0.0
    tail = (1 - LEVEL) / 2
    closed = data.opportunities.filter(pl.col("closed_at") < now)
    won = closed.filter(pl.col("stage") == "won").height
    rate = won / closed.height if closed.height else 0.0
    present = deals.get_column("category").drop_nulls().len() > 0
    commit = best = None
    if present:
        in_period = deals.filter(
            (pl.col("close_date_at") >= period.start.date())
            & (pl.col("close_date_at") < period.end.date())
        )
        commit = won_to_date + float(
            in_period.filter(pl.col("category") == COMMIT).get_column("amount_at").sum() or 0
        )
        best = commit + float(
            in_period.filter(pl.col("category") == BEST_CASE).get_column("amount_at").sum() or 0
        )
    return Forecast(
        period=period,
        as_of=now,
        won_to_date=won_to_date,
        expected_open=float(amounts @ p) if len(p) else 0.0,
        expected_new=expected_new,
        low=won_to_date + float(np.quantile(draws, tail)),
        high=won_to_date + float(np.quantile(draws, 1 - tail)),
        level=LEVEL,
        open_amount=float(amounts.sum()),
        open_deals=len(p),
        commit=commit,
        best_case=best,
        categories_present=present,
        naive=won_to_date + float(amounts.sum()) * rate,
        overall_win_rate=rate,
        overall_won=won,
        overall_closed=closed.height,
        new_deal_quarters=new,
        deals=deals,
        model=model,
    )
