"""The output of a scoring run: one row per person, plus what each rule contributed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from revloop.engine.contract.schema import GRADES, Contract
from revloop.engine.scoring.inputs import NO_TIME

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_micros(moment: dt.datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {moment!r}")
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def from_micros(micros: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=micros)


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Scores of ``n`` people as of ``now``, rows sorted by ``person_id``.

    Per person: ``fit`` (fit and negative rule points), ``grade`` (index into
    ``GRADES``), ``engagement`` (decayed, capped), ``total = fit + engagement``,
    ``mql_eligible``, ``disqualify_rule`` (index of the first negative rule that
    disqualifies, or -1) and ``last_touch_us`` (UTC microseconds, ``NO_TIME`` when
    none). Per person and rule (columns in contract order): ``fit_fired``,
    ``negative_fired``, and for engagement ``touch_count``, ``decayed`` (before the
    cap) and ``engagement_points`` (what the rule adds).
    """

    contract: Contract
    now: dt.datetime
    person_id: IntArray
    fit: FloatArray
    grade: NDArray[np.int8]
    engagement: FloatArray
    total: FloatArray
    mql_eligible: BoolArray
    disqualify_rule: NDArray[np.int16]
    last_touch_us: IntArray
    fit_fired: BoolArray
    negative_fired: BoolArray
    touch_count: NDArray[np.int32]
    decayed: FloatArray
    engagement_points: FloatArray

    def __post_init__(self) -> None:
        # Frozen means frozen: nobody downstream may edit the arrays in place.
        for name in ARRAY_FIELDS:
            array: np.ndarray[Any, Any] = getattr(self, name)
            array.flags.writeable = False

    def __len__(self) -> int:
        return int(self.person_id.size)

    @property
    def disqualified(self) -> BoolArray:
        return self.disqualify_rule >= 0

    def row(self, person_id: int) -> int:
        position = int(np.searchsorted(self.person_id, person_id))
        if position >= self.person_id.size or self.person_id[position] != person_id:
            raise KeyError(f"person {person_id} was not scored")
        return position

    def disqualify_reasons(self) -> NDArray[np.object_]:
        """Reason code per person (``None`` when not disqualified)."""
        codes = np.array([r.reason for r in self.contract.scoring.negative] + [None], dtype=object)
        return codes[np.where(self.disqualify_rule >= 0, self.disqualify_rule, len(codes) - 1)]

    def to_frame(self) -> pl.DataFrame:
        """The per-person scores, ready to compare with what is stored and to persist."""
        negative = self.contract.scoring.negative
        reasons = pl.Series(self.disqualify_rule).replace_strict(
            list(range(len(negative))),
            [rule.reason for rule in negative],
            default=None,
            return_dtype=pl.String,
        )
        last = pl.Series(self.last_touch_us)
        return pl.DataFrame(
            {
                "person_id": self.person_id,
                "fit": self.fit,
                "grade": pl.Series(np.asarray(GRADES)[self.grade]).cast(pl.Enum(GRADES)),
                "engagement": self.engagement,
                "total": self.total,
                "mql_eligible": self.mql_eligible,
                "disqualified": self.disqualified,
                "disqualify_reason": reasons,
                "last_touch_at": last.set(last == NO_TIME, None).cast(pl.Datetime("us", "UTC")),
            }
        )


#: The per-person arrays of a result (rows in ``person_id`` order).
ARRAY_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(ScoreResult) if f.name not in ("contract", "now")
)


def merge_results(base: ScoreResult, update: ScoreResult) -> ScoreResult:
    """``base`` with the rows of the people in ``update`` replaced (or added)."""
    if update.contract != base.contract or update.now != base.now:
        raise ValueError("merge needs results of the same contract at the same now")
    arrays: dict[str, Any] = {}
    position = _rows_in(base.person_id, update.person_id)
    if position is not None:  # the usual case: nobody new, replace rows in place
        for name in ARRAY_FIELDS:
            array = getattr(base, name).copy(order="K")
            array[position] = getattr(update, name)
            arrays[name] = array
    else:
        keep = ~np.isin(base.person_id, update.person_id)
        ids = np.concatenate([base.person_id[keep], update.person_id])
        order = np.argsort(ids, kind="stable")
        for name in ARRAY_FIELDS:
            joined = np.concatenate([getattr(base, name)[keep], getattr(update, name)])
            arrays[name] = np.asfortranarray(joined[order]) if joined.ndim == 2 else joined[order]
    return ScoreResult(contract=base.contract, now=base.now, **arrays)


def _rows_in(ids: IntArray, wanted: IntArray) -> IntArray | None:
    """Row of each wanted id in the sorted ``ids``, or ``None`` when any is absent."""
    if ids.size == 0:
        return None
    position = np.searchsorted(ids, wanted).clip(max=ids.size - 1)
    return position if np.array_equal(ids[position], wanted) else None
