"""Feature values as small integer codes: categories by vocabulary, numbers by quantile bin.

The leakage check and the naive-Bayes baseline both count won and lost leads per
value; they need the same discrete view of a column, fitted on training rows and
applied to any other rows. Missing values get code -1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Coder:
    """Codes for one column: ``vocabulary`` for text, ``edges`` (inner bin edges) for numbers."""

    name: str
    vocabulary: tuple[str, ...] | None
    edges: tuple[float, ...] | None

    @property
    def size(self) -> int:
        if self.vocabulary is not None:
            return len(self.vocabulary)
        return len(self.edges or ()) + 1

    def codes(self, column: pl.Series) -> IntArray:
        if self.vocabulary is not None:
            mapped = column.cast(pl.String).replace_strict(
                list(self.vocabulary),
                list(range(len(self.vocabulary))),
                default=-1,
                return_dtype=pl.Int64,
            )
            return mapped.fill_null(-1).to_numpy().astype(np.int64)
        values = column.cast(pl.Float64).fill_null(np.nan).to_numpy()
        codes = np.searchsorted(np.asarray(self.edges, dtype=np.float64), values, side="right")
        return np.where(np.isnan(values), -1, codes).astype(np.int64)


def fit_coder(column: pl.Series, bins: int) -> Coder:
    """A coder for ``column``: its distinct values, or up to ``bins`` quantile bins."""
    if column.dtype == pl.String:
        vocabulary = column.drop_nulls().unique().sort().to_list()
        return Coder(column.name, tuple(str(v) for v in vocabulary), None)
    values = column.cast(pl.Float64).drop_nulls().drop_nans().to_numpy()
    if values.size == 0:
        return Coder(column.name, None, ())
    distinct = np.unique(values)
    if distinct.size <= bins:
        # Few distinct values (counts, flags): one bin each, split halfway between.
        inner = (distinct[1:] + distinct[:-1]) / 2
    else:
        inner = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))
    return Coder(column.name, None, tuple(float(e) for e in inner))
