"""One preparation for training and evaluation: rows with an outcome, typed and screened."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from revloop.engine.predictive.features import (
    ColumnKind,
    ColumnStatus,
    FeaturePlan,
    plan_columns,
    target_vector,
)
from revloop.engine.predictive.leakage import feature_aucs, screen

#: Fewer won (or lost) rows than this leave nothing to learn or to measure.
MIN_CLASS_ROWS = 10


def canonical_order(frame: pl.DataFrame, seed: int = 0) -> NDArray[np.int64]:
    """A row order that depends on the rows' contents and ``seed``, not on the file.

    Rows are ordered by a seeded hash of their values (columns taken by name, so
    their order in the file does not matter either). Folds cut from this order are
    the same whether the export was sorted by date, by outcome or not at all, and
    the same rows give the same figures; identical rows are interchangeable.
    """
    hashes = frame.select(sorted(frame.columns)).hash_rows(seed=seed).to_numpy()
    return np.argsort(hashes, kind="stable").astype(np.int64)


class DatasetError(ValueError):
    """The frame cannot be learned from; the message says why and what to change."""


@dataclass(frozen=True)
class FeatureReport:
    """One input column: its kind, what was done with it and why, and its own AUC."""

    name: str
    kind: ColumnKind
    status: ColumnStatus
    #: Cross-validated AUC of the column alone (None: not a feature candidate).
    auc: float | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["kind"] = self.kind.value
        out["status"] = self.status.value
        return out


@dataclass(frozen=True, eq=False)
class Dataset:
    plan: FeaturePlan
    #: The rows whose outcome is known, in :func:`canonical_order`.
    frame: pl.DataFrame
    y: NDArray[np.int8]
    #: Rows left out because their target was empty.
    unknown_rows: int
    report: tuple[FeatureReport, ...]

    @property
    def positives(self) -> int:
        return int(self.y.sum())


def prepare(
    frame: pl.DataFrame,
    target: str,
    *,
    time_column: str | None = None,
    keep_leaky: bool = False,
    exclude: Collection[str] = (),
    keep: Collection[str] = (),
    seed: int = 0,
) -> Dataset:
    """Type the columns, drop rows without an outcome, and screen the features for leakage.

    The leakage screen sees every row with an outcome; it can only remove
    features, so it cannot flatter a later held-out measurement. The rows come out
    in :func:`canonical_order`, so nothing downstream sees the file's order.
    """
    y_all, known = target_vector(frame, target)
    rows = frame.filter(pl.Series(known)) if not known.all() else frame
    y = y_all[known]
    order = canonical_order(rows, seed)
    rows, y = rows[order], y[order]
    won, lost = int(y.sum()), int(y.size - y.sum())
    if min(won, lost) < MIN_CLASS_ROWS:
        raise DatasetError(
            f"learning needs at least {MIN_CLASS_ROWS} won and {MIN_CLASS_ROWS} not-won rows; "
            f"{target!r} has {won} won and {lost} not won"
        )
    plan = plan_columns(rows, target, time_column=time_column, exclude=exclude, keep=keep)
    aucs = feature_aucs(rows, plan, y, seed=seed)
    plan = screen(plan, rows, y, aucs, keep_leaky=keep_leaky, keep=keep)
    report = tuple(
        FeatureReport(c.name, c.kind, c.status, aucs.get(c.name), c.reason) for c in plan.columns
    )
    if not plan.features():
        skipped = ", ".join(f"{r.name} ({r.status.value})" for r in report)
        raise DatasetError(f"no column is usable as a feature: {skipped}")
    return Dataset(plan, rows, y, int((~known).sum()), report)
