"""Honest evaluation: the model and the Odoo-style baseline, measured on rows neither saw.

With a time column the split is by time: the model learns from the earlier
leads and is measured on the latest ``test_fraction`` of them, which is how it
will be used (trained on the past, scoring the leads that come next). Rows
without a time go to the training side, since they cannot be placed in the
future. Without a time column it is stratified k-fold cross-validation, and the
figures are computed once over all out-of-fold predictions.

Both learners see the same rows, the same screened features and the same split,
so the two columns of the report differ only in the model.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from revloop.engine.predictive.baseline import NaiveBayesBaseline
from revloop.engine.predictive.dataset import (
    MIN_CLASS_ROWS,
    Dataset,
    DatasetError,
    FeatureReport,
    prepare,
)
from revloop.engine.predictive.metrics import Metrics, measure
from revloop.engine.predictive.model import (
    DEFAULT_ALGORITHM,
    Algorithm,
    Learner,
    fit_calibrated,
    leaky_features,
    model_input,
    predict_positive,
)

Method = Literal["time_split", "cross_validation"]
DEFAULT_FOLDS = 5
DEFAULT_TEST_FRACTION = 0.2
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Evaluation:
    target: str
    algorithm: Algorithm
    #: The learner fitted for each split (``"auto"`` may choose differently per fold).
    learners: tuple[Learner, ...]
    method: Method
    rows: int
    positives: int
    #: Rows left out because their target was empty.
    unknown_rows: int
    time_column: str | None
    #: Time split: the first test time (ISO 8601) and the row counts on each side.
    cutoff: str | None
    train_rows: int
    test_rows: int
    folds: int | None
    model: Metrics
    baseline: Metrics
    features: tuple[FeatureReport, ...]
    seconds: float

    @property
    def leaky(self) -> tuple[str, ...]:
        return leaky_features(self.features)

    @property
    def used(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features if f.status.value in ("used", "leaky_kept"))

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "algorithm": self.algorithm,
            "learners": list(self.learners),
            "method": self.method,
            "rows": self.rows,
            "positives": self.positives,
            "unknown_rows": self.unknown_rows,
            "time_column": self.time_column,
            "cutoff": self.cutoff,
            "train_rows": self.train_rows,
            "test_rows": self.test_rows,
            "folds": self.folds,
            "model": self.model.as_dict(),
            "baseline": self.baseline.as_dict(),
            "leaky": list(self.leaky),
            "used": list(self.used),
            "features": [f.as_dict() for f in self.features],
            "seconds": round(self.seconds, 3),
        }


def evaluate_frame(
    frame: pl.DataFrame,
    target: str,
    *,
    time_column: str | None = None,
    keep_leaky: bool = False,
    exclude: Collection[str] = (),
    keep: Collection[str] = (),
    folds: int = DEFAULT_FOLDS,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    algorithm: Algorithm = DEFAULT_ALGORITHM,
    seed: int = 0,
) -> Evaluation:
    """Train and measure the model and the baseline on held-out rows of ``frame``.

    Options as for :func:`~revloop.engine.predictive.model.train`; ``folds`` is used
    without a ``time_column``, ``test_fraction`` with one.
    """
    started = time.perf_counter()
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be between 0 and 1")
    if folds < 2:
        raise ValueError("folds must be at least 2")
    data = prepare(
        frame,
        target,
        time_column=time_column,
        keep_leaky=keep_leaky,
        exclude=exclude,
        keep=keep,
        seed=seed,
    )
    design = model_input(data.plan, data.frame)
    cutoff: str | None = None
    if time_column is not None:
        train_idx, test_idx, cutoff = _time_split(data, time_column, test_fraction)
        splits = [(train_idx, test_idx)]
        method: Method = "time_split"
        fold_count: int | None = None
    else:
        fold_count = min(folds, data.positives, data.y.size - data.positives)
        splitter = StratifiedKFold(n_splits=fold_count, shuffle=True, random_state=seed)
        splits = list(splitter.split(np.zeros(data.y.size), data.y))
        method = "cross_validation"
    tested = np.concatenate([test for _, test in splits])
    model_p = np.empty(data.y.size, dtype=np.float64)
    baseline_p = np.empty(data.y.size, dtype=np.float64)
    raw = data.plan.design(data.frame)
    chosen: list[Learner] = []
    for train, test in splits:
        fitted = fit_calibrated(data.plan, design[train], data.y[train], algorithm, seed=seed)
        chosen.append(fitted.learner)
        model_p[test] = predict_positive(fitted.estimator, design[test])
        naive = NaiveBayesBaseline.fit(raw[train], data.y[train])
        baseline_p[test] = naive.predict_proba(raw[test])
    y = data.y[tested]
    return Evaluation(
        target=target,
        algorithm=algorithm,
        learners=tuple(chosen),
        method=method,
        rows=data.y.size,
        positives=data.positives,
        unknown_rows=data.unknown_rows,
        time_column=time_column,
        cutoff=cutoff,
        train_rows=int(data.y.size - tested.size) if time_column else int(data.y.size),
        test_rows=int(tested.size),
        folds=fold_count,
        model=measure(y, model_p[tested]),
        baseline=measure(y, baseline_p[tested]),
        features=data.report,
        seconds=time.perf_counter() - started,
    )


def _time_split(
    data: Dataset, time_column: str, test_fraction: float
) -> tuple[IntArray, IntArray, str]:
    column = data.frame.get_column(time_column)
    if column.dtype == pl.String:
        try:
            column = column.str.to_datetime(strict=False)
        except pl.exceptions.PolarsError:
            raise DatasetError(
                f"the time column {time_column!r} holds text that is not a date"
            ) from None
    if not column.dtype.is_temporal() and not column.dtype.is_numeric():
        raise DatasetError(f"the time column {time_column!r} holds neither dates nor numbers")
    moments = column.to_physical().cast(pl.Float64).to_numpy()
    timed = np.flatnonzero(~np.isnan(moments))
    if timed.size < 2:
        raise DatasetError(f"the time column {time_column!r} has fewer than two times")
    threshold = np.quantile(moments[timed], 1.0 - test_fraction)
    test = timed[moments[timed] >= threshold]
    train = np.setdiff1d(np.arange(moments.size), test)
    for side, rows in (("training", train), ("test", test)):
        won = int(data.y[rows].sum())
        if min(won, rows.size - won) < MIN_CLASS_ROWS // 2:
            raise DatasetError(
                f"the {side} side of the time split has {won} won and {rows.size - won} "
                "not-won rows; too few to measure: evaluate without a time column "
                "(cross-validation) or with a larger test_fraction"
            )
    first = column.gather(test).min()
    shown = first.isoformat() if isinstance(first, dt.date | dt.datetime) else str(first)
    return train, test, shown


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text report: the figures side by side, then the leakage screen."""
    e = evaluation
    split = (
        f"time split on {e.time_column}: trained on {e.train_rows} rows, tested on "
        f"{e.test_rows} from {e.cutoff}"
        if e.method == "time_split"
        else f"{e.folds}-fold stratified cross-validation over {e.rows} rows"
    )
    share = e.positives / e.rows
    lines = [
        f"target {e.target!r}: {e.rows} rows, {e.positives} won ({share:.1%}); {split}",
        "",
        f"{'':24}{'model (' + _learners(e) + ')':>20}{'baseline (naive Bayes)':>26}",
    ]
    rows: list[tuple[str, float | None, float | None, str]] = [
        ("AUC", e.model.auc, e.baseline.auc, ".3f"),
        ("Brier score", e.model.brier, e.baseline.brier, ".4f"),
        ("top-decile lift", e.model.top_decile_lift, e.baseline.top_decile_lift, ".2f"),
        ("calibration error", e.model.calibration_error, e.baseline.calibration_error, ".4f"),
    ]
    for label, ours, theirs, fmt in rows:
        lines.append(f"{label:24}{_fmt(ours, fmt):>20}{_fmt(theirs, fmt):>26}")
    lines += ["", "calibration (predicted vs observed won rate, by predicted probability)"]
    lines.append(
        f"{'bin':12}{'model n':>9}{'pred':>8}{'obs':>8}    {'baseline n':>10}{'pred':>8}{'obs':>8}"
    )
    for mine, naive in zip(e.model.calibration, e.baseline.calibration, strict=True):
        lines.append(
            f"{mine.lower:.1f}-{mine.upper:.1f}".ljust(12)
            + f"{mine.count:>9}{_fmt(mine.predicted, '.3f'):>8}{_fmt(mine.observed, '.3f'):>8}"
            + f"    {naive.count:>10}{_fmt(naive.predicted, '.3f'):>8}"
            + f"{_fmt(naive.observed, '.3f'):>8}"
        )
    lines += ["", f"{'feature':32}{'kind':13}{'own AUC':>8}  status"]
    for f in sorted(e.features, key=lambda f: -(f.auc or 0.0)):
        flag = "  <- probable leakage" if f.status.value in ("leaky", "leaky_kept") else ""
        auc = _fmt(f.auc, ".3f")
        lines.append(f"{f.name[:31]:32}{f.kind.value:13}{auc:>8}  {f.status.value}{flag}")
    if any(f.status.value == "post_handoff" for f in e.features):
        lines.append("post_handoff: recorded after the handoff to sales; keep=[...] uses it")
    if any(f.status.value == "leaky" for f in e.features):
        lines.append("leaky: predicts the outcome alone (AUC >= 0.9); keep_leaky uses it")
    return "\n".join(lines)


def _learners(e: Evaluation) -> str:
    kinds = sorted(set(e.learners))
    return "/".join(kinds) if kinds else e.algorithm


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)
