"""Build ``Journeys`` from per-touch rows and per-journey outcomes, with a lookback window.

A journey is whatever the caller groups touches by: a person, or an account for
buying groups. Each journey becomes one path (not merged with identical ones, since
touch times differ), with ``conversions`` 1 and ``nulls`` 0 if it converted, and the
other way round if it did not.

Which touches count:

- touches are ordered by time (ties keep their input order);
- for a converted journey, touches after the conversion are dropped (a touch at the
  very moment of conversion counts), and with a ``lookback`` so are touches more than
  ``lookback`` before it;
- for a journey that did not convert, the window ends at its last touch;
- a converted journey left with no touch cannot be credited to any channel: it is
  dropped and counted in ``Journeys.unattributed_conversions`` / ``_value``.

Milestones (for W-shaped and full path): the touch that created the lead (or the
opportunity) is the last counted touch at or before ``lead_created_at``
(``opportunity_created_at``); ``NO_STEP`` if there is none or the time is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from revloop.engine.attribution.journeys import NO_STEP, FloatArray, IntArray, Journeys

DatetimeArray = NDArray[np.datetime64]
BoolArray = NDArray[np.bool_]
_UNIT = "datetime64[us]"
_DAY = np.timedelta64(1, "D")


def as_datetime64(values: Sequence[datetime | None] | NDArray[Any]) -> DatetimeArray:
    """Microsecond datetime64 array; aware datetimes are converted to UTC, None to NaT."""
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.datetime64):
        return values.astype(_UNIT)

    def naive_utc(value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    return np.array([naive_utc(v) for v in values], dtype=_UNIT)


@dataclass(frozen=True, eq=False)
class Touches:
    """One row per touch: which journey, when, and the label to attribute to
    (channel, campaign or content)."""

    journey: NDArray[Any]
    at: DatetimeArray
    label: NDArray[Any]


@dataclass(frozen=True, eq=False)
class Outcomes:
    """One row per journey that has an outcome; journeys absent here did not convert.

    ``converted_at`` must be set where ``converted`` is true; ``value`` defaults to 0;
    the milestone times are optional (NaT where unknown).
    """

    journey: NDArray[Any]
    converted: NDArray[np.bool_]
    converted_at: DatetimeArray
    value: FloatArray | None = None
    lead_created_at: DatetimeArray | None = None
    opportunity_created_at: DatetimeArray | None = None


def _factorize(values: NDArray[Any], what: str) -> tuple[pl.Series, IntArray]:
    """Sorted distinct values and each value's index among them (polars: numpy's
    ``unique`` sorts strings an order of magnitude slower)."""
    series = pl.Series(values)
    if series.null_count():
        raise ValueError(f"touches: row {series.is_null().arg_true()[0]} has no {what}")
    distinct = series.unique().sort()
    if series.dtype == pl.String:
        codes = series.cast(pl.Enum(distinct)).to_physical()
    else:
        codes = series.rank("dense") - 1
    return distinct, codes.to_numpy().astype(np.int64)


def _outcome_rows(outcomes: Outcomes, journey_ids: pl.Series) -> tuple[BoolArray, IntArray]:
    """For each journey id: whether it has an outcome row, and which."""
    ids = pl.Series("journey", outcomes.journey)
    duplicated = ids.filter(ids.is_duplicated())
    if len(duplicated):
        raise ValueError(f"outcomes: journey {duplicated[0]!r} appears more than once")
    try:
        ids = ids.cast(journey_ids.dtype)
    except pl.exceptions.PolarsError as error:
        raise ValueError(
            f"outcomes: journey ids ({ids.dtype}) do not match the touches' ({journey_ids.dtype})"
        ) from error
    row = (
        pl.DataFrame({"journey": journey_ids})
        .join(
            pl.DataFrame({"journey": ids, "row": np.arange(len(ids), dtype=np.int64)}),
            on="journey",
            how="left",
            maintain_order="left",
        )
        .get_column("row")
    )
    has_row: BoolArray = row.is_not_null().to_numpy()
    return has_row, row.fill_null(0).to_numpy().astype(np.int64)


def _lookup(
    column: NDArray[Any], has_row: NDArray[np.bool_], row: IntArray, fill: Any
) -> NDArray[Any]:
    """``column`` per journey through the outcome row, ``fill`` for journeys without one."""
    if column.size == 0:
        return np.full(row.size, fill, dtype=column.dtype)
    return np.where(has_row, column[row], fill)


def build_journeys(
    touches: Touches,
    outcomes: Outcomes,
    *,
    lookback: timedelta | np.timedelta64 | None = None,
) -> Journeys:
    """Per-touch rows and outcomes to ``Journeys`` (rules: module docstring)."""
    at = touches.at.astype(_UNIT)
    n_touches = at.size
    if touches.journey.shape != (n_touches,) or touches.label.shape != (n_touches,):
        raise ValueError("touches: journey, at and label need one entry per touch")
    if np.isnat(at).any():
        raise ValueError(f"touches: row {int(np.flatnonzero(np.isnat(at))[0])} has no time")
    n_outcomes = outcomes.journey.shape[0]
    for name in ("converted", "converted_at", "value", "lead_created_at", "opportunity_created_at"):
        column = getattr(outcomes, name)
        if column is not None and column.shape != (n_outcomes,):
            raise ValueError(f"outcomes: {name} needs one entry per outcome row")
    missing_time = outcomes.converted & np.isnat(outcomes.converted_at)
    if missing_time.any():
        bad = outcomes.journey[np.flatnonzero(missing_time)[0]].item()
        raise ValueError(f"outcomes: journey {bad!r} converted but has no converted_at")

    journey_ids, journey_of_touch = _factorize(touches.journey, "journey")
    label_names, label_of_touch = _factorize(touches.label, "label")
    n_journeys = len(journey_ids)
    has_row, row = _outcome_rows(outcomes, journey_ids)
    nat = np.datetime64("NaT")
    converted = _lookup(outcomes.converted, has_row, row, fill=False).astype(bool)
    converted_at = _lookup(outcomes.converted_at.astype(_UNIT), has_row, row, fill=nat)
    value = np.zeros(n_journeys)
    if outcomes.value is not None:
        value = np.where(converted, _lookup(outcomes.value, has_row, row, fill=0.0), 0.0)

    # Sorting on (journey, time, input row) makes ties keep their input order; polars'
    # own stable multi-key sort is twice as slow on shuffled input.
    order = (
        pl.DataFrame({"journey": journey_of_touch, "at": at.view(np.int64)})
        .with_row_index("row")
        .select(pl.arg_sort_by(["journey", "at", "row"]))
        .to_series()
        .to_numpy()
    )
    at, journey_of_touch, labels = at[order], journey_of_touch[order], label_of_touch[order]
    last_touch = np.full(n_journeys, nat, dtype=_UNIT)
    last_touch[journey_of_touch] = at  # sorted, so the last write is the latest touch
    window_end = np.where(converted, converted_at, last_touch)
    age = window_end[journey_of_touch] - at
    keep = age >= np.timedelta64(0, "us")
    if lookback is not None:
        keep &= age <= np.timedelta64(lookback).astype("timedelta64[us]")
    journey_of_touch, at, labels, age = journey_of_touch[keep], at[keep], labels[keep], age[keep]

    counts = np.bincount(journey_of_touch, minlength=n_journeys)
    alive = counts > 0
    # Journeys left without touches disappear; the rest keep their (sorted) order.
    offsets = np.zeros(int(alive.sum()) + 1, dtype=np.int64)
    np.cumsum(counts[alive], out=offsets[1:])
    # Only labels that kept a touch become channels; renumber them densely, still sorted.
    used = np.bincount(labels, minlength=len(label_names)) > 0
    steps = (np.cumsum(used) - 1)[labels]
    channels = label_names.filter(pl.Series(used)).cast(pl.String).to_list()

    def milestone(times: DatetimeArray | None) -> IntArray | None:
        if times is None:
            return None
        when = _lookup(times.astype(_UNIT), has_row, row, fill=nat)
        # Touches are sorted by time within a journey, so "at or before" is a prefix and
        # the milestone touch is that prefix's last one.
        before = (at <= when[journey_of_touch]).astype(np.float64)
        step = np.bincount(journey_of_touch, weights=before, minlength=n_journeys) - 1
        return np.where(step >= 0, step, NO_STEP).astype(np.int64)[alive]

    unattributed = converted & ~alive
    return Journeys(
        channels=tuple(channels),
        offsets=offsets,
        steps=steps.astype(np.int32),
        conversions=converted[alive].astype(np.float64),
        value=value[alive].astype(np.float64),
        nulls=(~converted[alive]).astype(np.float64),
        ages_days=(age / _DAY).astype(np.float64),
        lead_step=milestone(outcomes.lead_created_at),
        opportunity_step=milestone(outcomes.opportunity_created_at),
        unattributed_conversions=float(unattributed.sum()),
        unattributed_value=float(value[unattributed].sum()),
    )
