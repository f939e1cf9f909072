"""How good a set of predicted probabilities is: AUC, Brier, top-decile lift, calibration.

All of them take ``y`` (0 / 1) and ``p`` (probabilities in [0, 1]) of the same length.

* **AUC**: the chance that a random won lead is ranked above a random lost one
  (ties count half); it says nothing about whether the probabilities are right.
* **Brier score**: mean squared error of the probabilities; 0 is perfect, and
  always predicting the base rate scores ``rate * (1 - rate)``.
* **Top-decile lift**: the won rate among the 10% highest-scored leads over the
  overall won rate, i.e. how much better than random the leads sales calls first
  are. Ties at the cut-off are shared out at their average won rate, so the figure
  does not depend on row order (all-equal scores give exactly 1).
* **Calibration table**: predictions in ten equal-width bins of probability, with
  per bin the count, the mean predicted probability and the observed won rate; a
  calibrated model has the two close wherever the count is large. The calibration
  error is their count-weighted mean absolute gap.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

FloatArray = NDArray[np.float64]
TOP_FRACTION = 0.1
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class CalibrationBin:
    lower: float
    upper: float
    count: int
    #: Mean predicted probability and observed won rate; None for an empty bin.
    predicted: float | None
    observed: float | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Metrics:
    rows: int
    positives: int
    base_rate: float
    #: None when only one class is present (ranking is undefined).
    auc: float | None
    brier: float
    top_decile_lift: float | None
    calibration_error: float
    calibration: tuple[CalibrationBin, ...]

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {k: v for k, v in asdict(self).items() if k != "calibration"}
        out["calibration"] = [b.as_dict() for b in self.calibration]
        return out


def _arrays(y: ArrayLike, p: ArrayLike) -> tuple[FloatArray, FloatArray]:
    ya = np.asarray(y, dtype=np.float64).ravel()
    pa = np.asarray(p, dtype=np.float64).ravel()
    if ya.shape != pa.shape:
        raise ValueError(f"y has {ya.size} values and p has {pa.size}")
    if ya.size == 0:
        raise ValueError("no rows to measure")
    if not np.isin(ya, (0.0, 1.0)).all():
        raise ValueError("y must hold only 0 and 1")
    if not np.isfinite(pa).all() or (pa < 0).any() or (pa > 1).any():
        raise ValueError("p must hold probabilities in [0, 1]")
    return ya, pa


def auc(y: ArrayLike, p: ArrayLike) -> float | None:
    ya, pa = _arrays(y, p)
    if ya.min() == ya.max():
        return None
    return float(roc_auc_score(ya, pa))


def auc_standard_error(auc_value: float, won: int, lost: int) -> float:
    """Hanley and McNeil's (1982) standard error of an AUC measured on ``won`` + ``lost`` rows.

    Enough to tell a difference from noise: a few dozen won leads in a holdout
    give an AUC good to about +-0.07, not +-0.01.
    """
    if won < 1 or lost < 1:
        return float("inf")
    a = auc_value
    q1 = a / (2.0 - a)
    q2 = 2.0 * a * a / (1.0 + a)
    variance = (a * (1 - a) + (won - 1) * (q1 - a * a) + (lost - 1) * (q2 - a * a)) / (won * lost)
    return math.sqrt(max(variance, 0.0))


def brier(y: ArrayLike, p: ArrayLike) -> float:
    ya, pa = _arrays(y, p)
    return float(np.mean((pa - ya) ** 2))


def top_lift(y: ArrayLike, p: ArrayLike, fraction: float = TOP_FRACTION) -> float | None:
    """Won rate in the top ``fraction`` by score over the overall rate (None: no wins)."""
    ya, pa = _arrays(y, p)
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    positives = ya.sum()
    if positives == 0:
        return None
    n = ya.size
    k = max(1, math.ceil(fraction * n))
    order = np.argsort(-pa, kind="stable")
    cut = pa[order[k - 1]]
    above = pa > cut
    tied = pa == cut
    n_above = int(above.sum())
    won_in_top = ya[above].sum() + (k - n_above) * ya[tied].mean()
    return float((won_in_top / k) / (positives / n))


def calibration_table(
    y: ArrayLike, p: ArrayLike, bins: int = CALIBRATION_BINS
) -> tuple[CalibrationBin, ...]:
    ya, pa = _arrays(y, p)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # The last bin is closed so a probability of exactly 1 has a home.
    index = np.minimum(np.searchsorted(edges, pa, side="right") - 1, bins - 1)
    counts = np.bincount(index, minlength=bins)
    predicted = np.bincount(index, weights=pa, minlength=bins)
    observed = np.bincount(index, weights=ya, minlength=bins)
    return tuple(
        CalibrationBin(
            lower=float(edges[i]),
            upper=float(edges[i + 1]),
            count=int(counts[i]),
            predicted=float(predicted[i] / counts[i]) if counts[i] else None,
            observed=float(observed[i] / counts[i]) if counts[i] else None,
        )
        for i in range(bins)
    )


def calibration_error(table: tuple[CalibrationBin, ...]) -> float:
    total = sum(b.count for b in table)
    gaps = sum(
        b.count * abs(b.predicted - b.observed)
        for b in table
        if b.predicted is not None and b.observed is not None
    )
    return gaps / total if total else 0.0


def measure(y: ArrayLike, p: ArrayLike) -> Metrics:
    ya, pa = _arrays(y, p)
    table = calibration_table(ya, pa)
    positives = int(ya.sum())
    return Metrics(
        rows=int(ya.size),
        positives=positives,
        base_rate=positives / ya.size,
        auc=auc(ya, pa),
        brier=brier(ya, pa),
        top_decile_lift=top_lift(ya, pa),
        calibration_error=calibration_error(table),
        calibration=table,
    )
