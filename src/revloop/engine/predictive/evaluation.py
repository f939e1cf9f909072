"""Honest evaluation: the model and the Odoo-style baseline, measured on rows neither saw.

The headline figures come from stratified k-fold cross-validation on shuffled
folds (seeded; the seed is reported), computed once over all out-of-fold
predictions. The rows are first put in an order of their own
(:func:`~revloop.engine.predictive.dataset.canonical_order`), so a file sorted by
date, by outcome or by any column gives the same figures as the same rows in any
other order.

With a time column there is a second measurement beside it, a time-ordered
holdout: the model learns from the earlier leads and is measured on the latest
``test_fraction`` of them, which is how it will be used (trained on the past,
scoring the leads that come next). Rows without a time go to the training side,
since they cannot be placed in the future. When the two AUCs differ by more than
:data:`DISAGREEMENT_AUC` and by more than the holdout's noise (twice its standard
error) the report says so: the outcome, or what predicts it, changes over time,
and the shuffled figure flatters the model.

Both learners see the same rows, the same screened features and the same splits,
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
from revloop.engine.predictive.metrics import Metrics, auc_standard_error, measure
from revloop.engine.predictive.model import (
    DEFAULT_ALGORITHM,
    Algorithm,
    Learner,
    fit_calibrated,
    leaky_features,
    model_input,
    predict_positive,
)

Method = Literal["cross_validation"]
DEFAULT_FOLDS = 5
DEFAULT_TEST_FRACTION = 0.2
DEFAULT_SEED = 0
#: Shuffled and time-ordered AUCs further apart than this, and than twice the
#: holdout's standard error, are reported as disagreeing.
DISAGREEMENT_AUC = 0.05
#: Standard errors by which the model may trail the baseline on the time holdout.
NOISE_ERRORS = 2.0
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Holdout:
    """The time-ordered measurement: trained on the earlier rows, tested on the latest."""

    time_column: str
    #: The first test time (ISO 8601).
    cutoff: str
    train_rows: int
    test_rows: int
    model: Metrics
    baseline: Metrics

    def as_dict(self) -> dict[str, object]:
        return {
            "time_column": self.time_column,
            "cutoff": self.cutoff,
            "train_rows": self.train_rows,
            "test_rows": self.test_rows,
            "model": self.model.as_dict(),
            "baseline": self.baseline.as_dict(),
        }


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
    folds: int
    #: Seeds the row order, the folds and the learners: the same seed, the same figures.
    seed: int
    #: Out-of-fold figures over every row (shuffled, stratified folds).
    model: Metrics
    baseline: Metrics
    #: The time-ordered holdout, when a time column was given and both sides have outcomes.
    holdout: Holdout | None
    features: tuple[FeatureReport, ...]
    #: What the reader must know before trusting the figures, in words.
    warnings: tuple[str, ...]
    seconds: float

    @property
    def leaky(self) -> tuple[str, ...]:
        return leaky_features(self.features)

    @property
    def used(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features if f.status.value in ("used", "leaky_kept"))

    @property
    def test_rows(self) -> int:
        return self.model.rows

    def beats_baseline(self) -> tuple[bool, str]:
        """Whether the model has earned its place over the baseline, and why, in words.

        It must rank better on the shuffled folds, where every row is held out once
        (the largest held-out sample there is). On the time holdout, a smaller
        sample, it must not trail the baseline by more than :data:`NOISE_ERRORS`
        standard errors of the holdout's AUC: a dozen won leads cannot tell 0.62
        from 0.63, and a rule that read noise would switch models at random.
        """
        ours, theirs = self.model.auc, self.baseline.auc
        if ours is None or theirs is None:
            return False, "the AUC cannot be measured (one outcome only)"
        if ours <= theirs:
            return False, (
                f"on the shuffled folds the model's AUC {ours:.3f} does not beat the "
                f"baseline's {theirs:.3f}"
            )
        said = f"shuffled folds: AUC {ours:.3f} against the baseline's {theirs:.3f}"
        h = self.holdout
        if h is not None and h.model.auc is not None and h.baseline.auc is not None:
            error = auc_standard_error(
                h.model.auc, h.model.positives, h.model.rows - h.model.positives
            )
            if h.baseline.auc - h.model.auc > NOISE_ERRORS * error:
                return False, (
                    f"on the time holdout the model's AUC {h.model.auc:.3f} trails the "
                    f"baseline's {h.baseline.auc:.3f} by more than noise (+-{error:.3f})"
                )
            said += (
                f"; time holdout: {h.model.auc:.3f} against {h.baseline.auc:.3f} (+-{error:.3f})"
            )
        return True, f"beats the baseline ({said})"

    def as_dict(self) -> dict[str, object]:
        beats, why = self.beats_baseline()
        return {
            "target": self.target,
            "algorithm": self.algorithm,
            "learners": list(self.learners),
            "method": self.method,
            "rows": self.rows,
            "positives": self.positives,
            "unknown_rows": self.unknown_rows,
            "time_column": self.time_column,
            "folds": self.folds,
            "seed": self.seed,
            "model": self.model.as_dict(),
            "baseline": self.baseline.as_dict(),
            "holdout": None if self.holdout is None else self.holdout.as_dict(),
            "beats_baseline": beats,
            "verdict": why,
            "warnings": list(self.warnings),
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
    seed: int = DEFAULT_SEED,
) -> Evaluation:
    """Train and measure the model and the baseline on held-out rows of ``frame``.

    Options as for :func:`~revloop.engine.predictive.model.train`; ``folds`` for the
    shuffled cross-validation, ``test_fraction`` for the time holdout (with a
    ``time_column`` only).
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
    raw = data.plan.design(data.frame)
    fold_count = min(folds, data.positives, data.y.size - data.positives)
    splitter = StratifiedKFold(n_splits=fold_count, shuffle=True, random_state=seed)
    model_p = np.empty(data.y.size, dtype=np.float64)
    baseline_p = np.empty(data.y.size, dtype=np.float64)
    chosen: list[Learner] = []
    for train_rows, test_rows in splitter.split(np.zeros(data.y.size), data.y):
        learner, model_p[test_rows], baseline_p[test_rows] = _predict(
            data, design, raw, train_rows, test_rows, algorithm=algorithm, seed=seed
        )
        chosen.append(learner)
    model, baseline = measure(data.y, model_p), measure(data.y, baseline_p)
    warnings: list[str] = []
    holdout: Holdout | None = None
    if time_column is not None:
        try:
            holdout = _holdout(
                data,
                design,
                raw,
                time_column,
                test_fraction=test_fraction,
                algorithm=algorithm,
                seed=seed,
            )
        except DatasetError as exc:
            warnings.append(f"no time holdout: {exc}")
    if holdout is not None:
        warnings.extend(_disagreement(model, holdout))
    return Evaluation(
        target=target,
        algorithm=algorithm,
        learners=tuple(chosen),
        method="cross_validation",
        rows=data.y.size,
        positives=data.positives,
        unknown_rows=data.unknown_rows,
        time_column=time_column,
        folds=fold_count,
        seed=seed,
        model=model,
        baseline=baseline,
        holdout=holdout,
        features=data.report,
        warnings=tuple(warnings),
        seconds=time.perf_counter() - started,
    )


def _predict(
    data: Dataset,
    design: pl.DataFrame,
    raw: pl.DataFrame,
    train_rows: IntArray,
    test_rows: IntArray,
    *,
    algorithm: Algorithm,
    seed: int,
) -> tuple[Learner, FloatArray, FloatArray]:
    """Fit both learners on ``train_rows``; their probabilities for ``test_rows``."""
    fitted = fit_calibrated(data.plan, design[train_rows], data.y[train_rows], algorithm, seed=seed)
    naive = NaiveBayesBaseline.fit(raw[train_rows], data.y[train_rows])
    return (
        fitted.learner,
        predict_positive(fitted.estimator, design[test_rows]),
        naive.predict_proba(raw[test_rows]),
    )


def _holdout(
    data: Dataset,
    design: pl.DataFrame,
    raw: pl.DataFrame,
    time_column: str,
    *,
    test_fraction: float,
    algorithm: Algorithm,
    seed: int,
) -> Holdout:
    train_rows, test_rows, cutoff = _time_split(data, time_column, test_fraction)
    _, model_p, baseline_p = _predict(
        data, design, raw, train_rows, test_rows, algorithm=algorithm, seed=seed
    )
    y = data.y[test_rows]
    return Holdout(
        time_column=time_column,
        cutoff=cutoff,
        train_rows=int(train_rows.size),
        test_rows=int(test_rows.size),
        model=measure(y, model_p),
        baseline=measure(y, baseline_p),
    )


def _disagreement(shuffled: Metrics, holdout: Holdout) -> list[str]:
    if shuffled.auc is None or holdout.model.auc is None:
        return []
    gap = shuffled.auc - holdout.model.auc
    won = holdout.model.positives
    error = auc_standard_error(holdout.model.auc, won, holdout.model.rows - won)
    if abs(gap) <= max(DISAGREEMENT_AUC, NOISE_ERRORS * error):
        return []
    return [
        (
            f"the shuffled folds give AUC {shuffled.auc:.3f} and the latest "
            f"{holdout.test_rows:,} rows by {holdout.time_column} (from {holdout.cutoff}) "
            f"give {holdout.model.auc:.3f} (+-{error:.3f}): what predicts the outcome "
            "changes over time, so "
            "expect the time holdout's figure on the leads that come next"
        )
    ]


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
                "not-won rows, too few to measure (a larger test fraction may do)"
            )
    first = column.gather(test).min()
    shown = first.isoformat() if isinstance(first, dt.date | dt.datetime) else str(first)
    return train, test, shown


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text report: the figures side by side, warnings, then the leakage screen."""
    e = evaluation
    share = e.positives / e.rows
    lines = [
        (
            f"target {e.target!r}: {e.rows} rows, {e.positives} won ({share:.1%}); "
            f"{e.folds}-fold stratified cross-validation on shuffled folds (seed {e.seed})"
        ),
        "",
        f"{'':24}{'model (' + _learners(e) + ')':>20}{'baseline (naive Bayes)':>26}",
    ]
    lines += _figures(e.model, e.baseline)
    if e.holdout is not None:
        h = e.holdout
        lines += [
            "",
            (
                f"time holdout on {h.time_column}: trained on {h.train_rows} earlier rows, "
                f"tested on the latest {h.test_rows} (from {h.cutoff})"
            ),
        ]
        lines += _figures(h.model, h.baseline)
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
    beats, verdict = e.beats_baseline()
    lines += ["", ("" if beats else "does not beat the baseline: ") + verdict]
    lines += [f"warning: {w}" for w in e.warnings]
    lines += ["", f"{'feature':32}{'kind':13}{'own AUC':>8}  status"]
    for f in sorted(e.features, key=lambda f: -(f.auc or 0.0)):
        flag = "  <- probable leakage" if f.status.value in ("leaky", "leaky_kept") else ""
        auc = _fmt(f.auc, ".3f")
        lines.append(f"{f.name[:31]:32}{f.kind.value:13}{auc:>8}  {f.status.value}{flag}")
    for f in e.features:
        if f.status.value in ("leaky", "leaky_kept"):
            lines.append(f"  {f.name}: {f.reason}")
    if any(f.status.value == "post_handoff" for f in e.features):
        lines.append("post_handoff: recorded after the handoff to sales; --keep COLUMN uses it")
    if any(f.status.value == "leaky" for f in e.features):
        lines.append("leaky: left out of the model; --keep-leaky uses them all")
    return "\n".join(lines)


def _figures(model: Metrics, baseline: Metrics) -> list[str]:
    rows: list[tuple[str, float | None, float | None, str]] = [
        ("AUC", model.auc, baseline.auc, ".3f"),
        ("Brier score", model.brier, baseline.brier, ".4f"),
        ("top-decile lift", model.top_decile_lift, baseline.top_decile_lift, ".2f"),
        ("calibration error", model.calibration_error, baseline.calibration_error, ".4f"),
    ]
    return [
        f"{label:24}{_fmt(ours, fmt):>20}{_fmt(theirs, fmt):>26}"
        for label, ours, theirs, fmt in rows
    ]


def _learners(e: Evaluation) -> str:
    kinds = sorted(set(e.learners))
    return "/".join(kinds) if kinds else e.algorithm


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)
