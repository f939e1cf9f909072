"""The leakage guard: how well each feature predicts the outcome on its own.

A feature that ranks won above lost leads almost perfectly by itself (AUC 0.9 or
more) is far more often a trace of the outcome than a cause of it: a status set
when the deal closed, a tag sales added after the call, a copy of the target under
another name. Such a feature is reported and, unless the caller keeps it,
excluded: a model that silently leans on it looks excellent in evaluation and is
useless on new leads, which do not have it yet.

Each feature is scored the same way whatever its type: its values are grouped
(categories as they are, numbers into up to 20 quantile bins, missing as a value
of its own), each row gets the smoothed won rate of its group computed on the
*other* folds (stratified k-fold), and the AUC of those out-of-fold rates is the
feature's own cross-validated AUC. Out-of-fold rates keep a high-cardinality
column (a city, a free-text title) from scoring well by memorising its rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from revloop.engine.predictive.encoding import fit_coder
from revloop.engine.predictive.features import (
    FEATURE_KINDS,
    ColumnStatus,
    FeaturePlan,
)
from revloop.engine.predictive.metrics import auc

#: A feature at or above this AUC on its own is probable leakage.
LEAKAGE_AUC = 0.9
LEAKAGE_BINS = 20
LEAKAGE_FOLDS = 5
#: Pseudo-count pulling a group's rate towards the overall rate.
SMOOTHING = 1.0

IntArray = NDArray[np.int64]


def single_feature_auc(
    column: pl.Series, y: NDArray[np.int8], *, folds: int = LEAKAGE_FOLDS, seed: int = 0
) -> float | None:
    """Cross-validated AUC of ``column`` alone (None when it cannot be measured)."""
    coder = fit_coder(column, LEAKAGE_BINS)
    codes = coder.codes(column)
    codes = np.where(codes < 0, coder.size, codes)  # missing is a group of its own
    groups = coder.size + 1
    target = y.astype(np.float64)
    splits = _folds(y, folds, seed)
    if splits is None:
        return None
    rates = np.empty(y.size, dtype=np.float64)
    total_n = np.bincount(codes, minlength=groups).astype(np.float64)
    total_won = np.bincount(codes, weights=target, minlength=groups)
    for test in splits:
        fold_n = np.bincount(codes[test], minlength=groups)
        fold_won = np.bincount(codes[test], weights=target[test], minlength=groups)
        train_n = total_n - fold_n
        train_won = total_won - fold_won
        prior = train_won.sum() / train_n.sum()
        rate = (train_won + SMOOTHING * prior) / (train_n + SMOOTHING)
        rates[test] = rate[codes[test]]
    return auc(y, rates)


def _folds(y: NDArray[np.int8], folds: int, seed: int) -> list[IntArray] | None:
    smallest = int(min(y.sum(), y.size - y.sum()))
    if smallest < 2:
        return None
    splitter = StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(y.size), y)]


def feature_aucs(
    frame: pl.DataFrame, plan: FeaturePlan, y: NDArray[np.int8], *, seed: int = 0
) -> dict[str, float | None]:
    """Own AUC of every column that could be a feature, used or not (for the report)."""
    probe = plan.with_statuses(
        {
            c.name: (ColumnStatus.USED, c.reason)
            for c in plan.columns
            if c.kind in FEATURE_KINDS
            and c.status in (ColumnStatus.POST_HANDOFF, ColumnStatus.EXCLUDED)
        }
    )
    design = probe.design(frame)
    return {
        name: single_feature_auc(design.get_column(name), y, seed=seed) for name in design.columns
    }


def screen(
    plan: FeaturePlan, aucs: Mapping[str, float | None], *, keep_leaky: bool = False
) -> FeaturePlan:
    """``plan`` with every used feature at :data:`LEAKAGE_AUC` or above marked leaky."""
    changes: dict[str, tuple[ColumnStatus, str]] = {}
    for column in plan.columns:
        score = aucs.get(column.name)
        if column.status != ColumnStatus.USED or score is None or score < LEAKAGE_AUC:
            continue
        why = f"predicts the outcome alone with cross-validated AUC {score:.3f}: probable leakage"
        if keep_leaky:
            changes[column.name] = (ColumnStatus.LEAKY_KEPT, why + "; kept on request")
        else:
            changes[column.name] = (ColumnStatus.LEAKY, why + "; excluded (keep_leaky uses it)")
    return plan.with_statuses(changes)
