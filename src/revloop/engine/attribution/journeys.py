"""Journeys as flat numpy arrays: the one input every attribution model reads.

A set of journeys is stored the way ChannelAttribution's aggregated input is shaped
(one row per path with its conversions, conversion value and non-converting count),
but flattened so that models can work on all touches at once instead of looping
over paths: ``steps`` holds every touch's channel index back to back, and
``offsets`` marks where each path starts (CSR layout, as in scipy.sparse).

A row may stand for many identical journeys (aggregated input: ``conversions`` and
``nulls`` are counts) or for a single person (built from touches: one of them is 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
StepArray = NDArray[np.int32]

#: Marks "this journey has no such milestone touch" in ``lead_step`` / ``opportunity_step``.
NO_STEP = -1


class JourneyError(ValueError):
    """Journeys that break an invariant (shape, range, sign); the message names the field."""


def _frozen(array: NDArray[Any]) -> None:
    # The dataclass is frozen; making the arrays read-only keeps that promise for their content.
    array.flags.writeable = False


@dataclass(frozen=True, eq=False)
class Journeys:
    """Customer journeys: ordered channel touches per path, with their outcomes.

    Fields (``P`` paths, ``T`` touches in total):

    - ``channels``: the channel (or campaign, or content) labels; ``steps`` index into it.
    - ``offsets``: ``P + 1`` int64 boundaries; path ``p`` is ``steps[offsets[p]:offsets[p+1]]``.
      Every path has at least one touch.
    - ``steps``: ``T`` int32 channel indices in touch order (oldest first).
    - ``conversions``, ``value``, ``nulls``: per path, non-negative; conversions and
      conversion value credited to the path, and how many journeys took it without
      converting (only the Markov model reads ``nulls``).
    - ``ages_days``: optional, per touch, the time from the touch to the conversion
      (or, for a journey that did not convert, to its last touch) in days; needed by
      time decay.
    - ``lead_step``, ``opportunity_step``: optional, per path, the index within the path
      of the touch that created the lead / the opportunity, or ``NO_STEP`` (-1) when
      unknown; read by the W-shaped and full-path models.
    - ``unattributed_conversions``, ``unattributed_value``: conversions that had no touch
      left inside the lookback window, so no model can credit them; kept for reporting.
    """

    channels: tuple[str, ...]
    offsets: IntArray
    steps: StepArray
    conversions: FloatArray
    value: FloatArray
    nulls: FloatArray
    ages_days: FloatArray | None = None
    lead_step: IntArray | None = None
    opportunity_step: IntArray | None = None
    unattributed_conversions: float = 0.0
    unattributed_value: float = 0.0

    def __post_init__(self) -> None:
        offsets, steps = self.offsets, self.steps
        if offsets.ndim != 1 or offsets.size < 1 or offsets[0] != 0:
            raise JourneyError("offsets: must be a 1-d array starting at 0")
        if offsets[-1] != steps.size:
            raise JourneyError(
                f"offsets: last offset {offsets[-1]} != number of steps {steps.size}"
            )
        if np.any(np.diff(offsets) <= 0):
            bad = int(np.flatnonzero(np.diff(offsets) <= 0)[0])
            raise JourneyError(f"offsets: path {bad} has no touch")
        if steps.size and (steps.min() < 0 or steps.max() >= len(self.channels)):
            raise JourneyError(f"steps: channel index outside 0..{len(self.channels) - 1}")
        n_paths = offsets.size - 1
        for name in ("conversions", "value", "nulls"):
            self._check_per_path(name, getattr(self, name), n_paths, non_negative=True)
        for name in ("lead_step", "opportunity_step"):
            marker = getattr(self, name)
            if marker is None:
                continue
            self._check_per_path(name, marker, n_paths, non_negative=False)
            lengths = np.diff(offsets)
            if np.any((marker < NO_STEP) | (marker >= lengths)):
                bad = int(np.flatnonzero((marker < NO_STEP) | (marker >= lengths))[0])
                raise JourneyError(f"{name}: path {bad} points outside its {lengths[bad]} touches")
            _frozen(marker)
        if self.ages_days is not None:
            if self.ages_days.shape != steps.shape:
                raise JourneyError("ages_days: needs one entry per touch")
            if not np.all(np.isfinite(self.ages_days)) or np.any(self.ages_days < 0):
                raise JourneyError("ages_days: must be finite and non-negative")
            _frozen(self.ages_days)
        for array in (offsets, steps, self.conversions, self.value, self.nulls):
            _frozen(array)

    @staticmethod
    def _check_per_path(
        name: str, array: NDArray[Any], n_paths: int, *, non_negative: bool
    ) -> None:
        if array.shape != (n_paths,):
            raise JourneyError(f"{name}: needs one entry per path ({n_paths}), got {array.shape}")
        if non_negative:
            finite = np.isfinite(array)
            if not np.all(finite) or np.any(array < 0):
                bad = int(np.flatnonzero(~finite | (array < 0))[0])
                raise JourneyError(f"{name}: path {bad} has {array[bad]!r}, must be >= 0")

    @classmethod
    def from_paths(
        cls,
        paths: Sequence[Sequence[str]],
        conversions: ArrayLike,
        value: ArrayLike | None = None,
        nulls: ArrayLike | None = None,
        *,
        ages_days: Sequence[Sequence[float]] | None = None,
        lead_step: ArrayLike | None = None,
        opportunity_step: ArrayLike | None = None,
    ) -> Journeys:
        """Small, readable construction (tests, examples): one label sequence per path.

        Channel labels are sorted so that the result does not depend on row order.
        """
        n_paths = len(paths)
        lengths = np.fromiter((len(p) for p in paths), dtype=np.int64, count=n_paths)
        flat = [label for path in paths for label in path]
        channels, inverse = np.unique(np.asarray(flat, dtype=str), return_inverse=True)
        offsets = np.zeros(n_paths + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])

        def per_path(values: ArrayLike | None, dtype: type[np.generic]) -> NDArray[Any]:
            if values is None:
                return np.zeros(n_paths, dtype=dtype)
            return np.asarray(values, dtype=dtype).reshape(-1)

        ages = None
        if ages_days is not None:
            ages = np.asarray([a for path_ages in ages_days for a in path_ages], dtype=np.float64)
        return cls(
            channels=tuple(str(c) for c in channels),
            offsets=offsets,
            steps=inverse.astype(np.int32).reshape(-1),
            conversions=per_path(conversions, np.float64).astype(np.float64),
            value=per_path(value, np.float64).astype(np.float64),
            nulls=per_path(nulls, np.float64).astype(np.float64),
            ages_days=ages,
            lead_step=None if lead_step is None else per_path(lead_step, np.int64).astype(np.int64),
            opportunity_step=(
                None
                if opportunity_step is None
                else per_path(opportunity_step, np.int64).astype(np.int64)
            ),
        )

    @property
    def n_paths(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def n_touches(self) -> int:
        return int(self.steps.size)

    @property
    def total_conversions(self) -> float:
        return float(self.conversions.sum())

    @property
    def total_value(self) -> float:
        return float(self.value.sum())

    @cached_property
    def lengths(self) -> IntArray:
        """Number of touches per path."""
        lengths = np.diff(self.offsets)
        _frozen(lengths)
        return lengths

    @cached_property
    def path_of_step(self) -> IntArray:
        """For every touch, the index of its path (the CSR row index)."""
        rows = np.repeat(np.arange(self.n_paths, dtype=np.int64), self.lengths)
        _frozen(rows)
        return rows

    @cached_property
    def position(self) -> IntArray:
        """For every touch, its 0-based position within its own path."""
        position = np.arange(self.n_touches, dtype=np.int64) - self.offsets[self.path_of_step]
        _frozen(position)
        return position

    def path_labels(self, path: int) -> tuple[str, ...]:
        """The channel labels of one path (for messages and tests, not for bulk work)."""
        start, stop = int(self.offsets[path]), int(self.offsets[path + 1])
        return tuple(self.channels[i] for i in self.steps[start:stop])


def sum_per_channel(journeys: Journeys, weights: FloatArray) -> FloatArray:
    """Sum a per-touch quantity per channel (aligned with ``journeys.channels``)."""
    return np.bincount(journeys.steps, weights=weights, minlength=len(journeys.channels)).astype(
        np.float64, copy=False
    )


def sum_per_path(journeys: Journeys, weights: FloatArray) -> FloatArray:
    """Sum a per-touch quantity per path."""
    return np.bincount(journeys.path_of_step, weights=weights, minlength=journeys.n_paths).astype(
        np.float64, copy=False
    )
