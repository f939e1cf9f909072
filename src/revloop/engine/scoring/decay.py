"""Time decay, and the number grid that makes every score add up exactly.

A touch worth ``p`` points counts ``p · 2^(-age / half_life)``. Every contribution
(decayed touch, fit points, cap) is rounded to a multiple of 2^-20 (about a
millionth of a point). Sums of such numbers are exact in float64 as long as they stay
below 2^33, which the contract's bounds on points guarantee. So a person's score is
the same whatever order the touches come in, an incremental rescore equals a full
one bit for bit, and the explanation's lines add up to the score exactly.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

GRID = 2.0**20
MICROS_PER_DAY = 86_400_000_000.0


def on_grid(values: FloatArray) -> FloatArray:
    return np.rint(values * GRID) / GRID


def on_grid_scalar(value: float) -> float:
    return float(round(value * GRID) / GRID)


def decay_factor(age_days: FloatArray, half_life_days: float) -> FloatArray:
    """1 for a touch now, 1/2 after one half-life; ages below zero never occur (future
    touches are skipped, so scores replayed "as of" a past date see only the past)."""
    return np.exp2(-age_days / half_life_days)


def decayed_points(points: float, age_days: FloatArray, half_life_days: float) -> FloatArray:
    """What each touch adds before the cap, on the exact grid.

    Computed in place, one buffer for all steps: this runs on millions of touches.
    The steps are those of ``on_grid(on_grid_scalar(points) * decay_factor(...))``.
    """
    values = np.divide(age_days, -half_life_days)
    np.exp2(values, out=values)
    np.multiply(values, on_grid_scalar(points) * GRID, out=values)
    np.rint(values, out=values)
    np.divide(values, GRID, out=values)
    return values
