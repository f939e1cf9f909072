"""Which won customers look most like this account: a small, explainable distance.

Three firmographic fields, each a term a rep can check at a glance:

- industry: 0 when equal (case-insensitive), 1 when different or unknown on either side;
- size: |log10(employees) - log10(other's employees)|, so 100 vs 1,000 employees costs
  1 (the same as a different industry) and 200 vs 400 costs 0.3; unknown costs 0.5;
- region: 0 when equal, 0.5 when different or unknown.

The distance is the weighted sum (weights in :data:`WEIGHTS`); the nearest accounts
come first, ties broken by more won deals, then by position. No scaling is learned, so
the same account always has the same neighbours, and the reason for each is visible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: How much a mismatch of each field costs; size is per tenfold difference.
WEIGHTS = {"industry": 1.0, "size": 1.0, "region": 0.5}
#: What an unknown employee count costs, in tenfolds (about a threefold difference).
UNKNOWN_SIZE = 0.5


@dataclass(frozen=True)
class Firmographics:
    industry: str
    employee_count: int | None
    region: str


@dataclass(frozen=True)
class AccountTable:
    """Candidate accounts as columns; ``employees`` is NaN where unknown."""

    industry: NDArray[np.str_]
    employees: NDArray[np.float64]
    region: NDArray[np.str_]
    won_deals: NDArray[np.int64]

    def __post_init__(self) -> None:
        sizes = {len(self.industry), len(self.employees), len(self.region), len(self.won_deals)}
        if len(sizes) > 1:
            raise ValueError("AccountTable columns differ in length")

    def __len__(self) -> int:
        return len(self.industry)


def _mismatch(value: str, column: NDArray[np.str_]) -> NDArray[np.float64]:
    wanted = value.strip().lower()
    if not wanted:
        return np.ones(len(column))
    same: NDArray[np.bool_] = np.char.lower(np.char.strip(column.astype(np.str_))) == wanted
    return (~same).astype(np.float64)


def firmographic_distance(target: Firmographics, table: AccountTable) -> NDArray[np.float64]:
    """The distance from ``target`` to every account in ``table`` (see the module doc)."""
    industry = _mismatch(target.industry, table.industry)
    region = _mismatch(target.region, table.region)
    if target.employee_count is None or target.employee_count <= 0:
        size = np.full(len(table), UNKNOWN_SIZE)
    else:
        known = np.isfinite(table.employees) & (table.employees > 0)
        logs = np.log10(np.where(known, table.employees, 1.0))
        size = np.where(known, np.abs(logs - np.log10(target.employee_count)), UNKNOWN_SIZE)
    return WEIGHTS["industry"] * industry + WEIGHTS["size"] * size + WEIGHTS["region"] * region


def nearest_accounts(
    target: Firmographics, table: AccountTable, k: int = 5
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Positions of the ``k`` nearest accounts (nearest first) and their distances."""
    if k <= 0 or len(table) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0)
    distance = firmographic_distance(target, table)
    # lexsort sorts by the last key first: distance, then more won deals, then position.
    order = np.lexsort((np.arange(len(table)), -table.won_deals, distance))[:k]
    return order.astype(np.intp), distance[order]
