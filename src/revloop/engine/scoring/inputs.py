"""What the scoring engine reads: a people frame and a touches frame, as polars columns.

People: ``person_id`` (int) plus one column per contract field the rules test, named
exactly as in the contract (``person.title``, ``account.employee_count`` …);
``person.email_domain`` is derived from ``person.email`` when absent.

Touches: ``person_id`` (int, null for anonymous touches, which are skipped),
``occurred_at`` (timezone-aware datetime), and the match columns the rules use:
``type``, ``channel``, ``campaign`` (name), ``content_kind``, ``content_id`` (int),
``url``. Text columns may be String, Categorical or Enum; :data:`TOUCH_SCHEMA` gives
the fastest dtypes.

Text columns are "factorized": each distinct value gets a code, rules are evaluated
once per distinct value (a few thousand titles or URLs, not millions of rows), and
the answer is spread to every row with one array lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from revloop.engine.contract.fields import DERIVED_FROM, FIELDS, FieldKind
from revloop.engine.contract.schema import Contract
from revloop.engine.vocabulary import Channel, ContentKind, TouchType

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]

PERSON_ID = "person_id"
OCCURRED_AT = "occurred_at"

#: Recommended dtypes for the touches frame: Enum columns need no factorizing.
TOUCH_SCHEMA: dict[str, pl.DataType] = {
    PERSON_ID: pl.Int64(),
    OCCURRED_AT: pl.Datetime("us", "UTC"),
    "type": pl.Enum([t.value for t in TouchType]),
    "channel": pl.Enum([c.value for c in Channel]),
    "campaign": pl.Categorical(),
    "content_kind": pl.Enum([k.value for k in ContentKind]),
    "content_id": pl.Int64(),
    "url": pl.Categorical(),
}

#: Touch column read for each part of a rule's match.
MATCH_COLUMNS: dict[str, str] = {
    "types": "type",
    "channels": "channel",
    "campaigns": "campaign",
    "content_kinds": "content_kind",
    "content_ids": "content_id",
    "url": "url",
}

#: Marks "no touch" in int64 microsecond arrays.
NO_TIME = np.iinfo(np.int64).min


class ScoringInputError(ValueError):
    """A frame lacks a column or holds the wrong kind of values; the message names both."""


def people_columns(contract: Contract) -> tuple[str, ...]:
    """The people-frame columns a contract's rules read (``person_id`` first)."""
    scoring = contract.scoring
    fields = [r.condition.field for r in scoring.fit] + [
        r.condition.field for r in scoring.negative
    ]
    return (PERSON_ID, *dict.fromkeys(fields))


def touch_columns(contract: Contract) -> tuple[str, ...]:
    """The touches-frame columns a contract's engagement rules read."""
    used = {
        column
        for rule in contract.scoring.engagement
        for attribute, column in MATCH_COLUMNS.items()
        if getattr(rule.match, attribute)
    }
    return (PERSON_ID, OCCURRED_AT, *(c for c in TOUCH_SCHEMA if c in used))


Codes = NDArray[np.unsignedinteger[Any]]


@dataclass(frozen=True, eq=False)
class Factor:
    """A text column as codes into its distinct values; the last value is ``None``.

    Codes stay in the smallest unsigned type that holds them: ten million touches'
    types fit in 10 MB instead of 80, and the lookups read less memory.
    """

    codes: Codes
    values: tuple[str | None, ...]

    def lookup(self, test: Callable[[str | None], bool]) -> BoolArray:
        """``test`` on every row, evaluated once per distinct value."""
        table = np.fromiter((test(v) for v in self.values), dtype=np.bool_, count=len(self.values))
        return table[self.codes]

    def take(self, rows: IntArray | BoolArray | None) -> Factor:
        return self if rows is None else Factor(self.codes[rows], self.values)


def _code_type(count: int) -> type[np.unsignedinteger[Any]]:
    if count <= np.iinfo(np.uint8).max:
        return np.uint8
    if count <= np.iinfo(np.uint16).max:
        return np.uint16
    return np.uint32


def factorize(series: pl.Series) -> Factor:
    dtype = series.dtype
    if isinstance(dtype, pl.Enum):
        values: list[str | None] = list(dtype.categories.to_list())
        physical = series.to_physical()
    elif isinstance(dtype, pl.Categorical):
        return _factorize_categorical(series)
    else:
        text = series.cast(pl.String)
        distinct = text.unique().drop_nulls()
        values = list(distinct.to_list())
        physical = text.cast(pl.Enum(distinct)).to_physical()
    code_type = _code_type(len(values))
    codes = physical.cast(pl.UInt32).fill_null(len(values)).to_numpy().astype(code_type)
    return Factor(codes, (*values, None))


def _factorize_categorical(series: pl.Series) -> Factor:
    # A Categorical's codes index a process-wide table; map the ones present to 0..k-1.
    distinct = series.unique().drop_nulls()
    global_codes = distinct.to_physical().to_numpy().astype(np.intp)
    values: list[str | None] = list(distinct.cast(pl.String).to_list())
    size = int(global_codes.max()) + 2 if global_codes.size else 1
    if size > 4 * len(series) + 1_000_000:  # a huge shared table: go the local way
        return factorize(series.cast(pl.String))
    table = np.full(size, len(values), dtype=_code_type(len(values)))
    table[global_codes] = np.arange(len(values))
    codes = table[series.to_physical().fill_null(size - 1).to_numpy()]
    return Factor(codes, (*values, None))


def numbers(series: pl.Series, where: str) -> FloatArray:
    if not (series.dtype.is_numeric() or series.dtype == pl.Null):
        raise ScoringInputError(f"{where}: must hold numbers, not {series.dtype}")
    return series.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64, copy=False)


def utc_micros(series: pl.Series, where: str) -> IntArray:
    dtype = series.dtype
    if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
        raise ScoringInputError(f"{where}: must be a timezone-aware datetime, not {dtype}")
    # A touch without a time is treated as not yet happened: it never scores.
    micros = series.dt.epoch("us").fill_null(np.iinfo(np.int64).max)
    return micros.to_numpy().astype(np.int64, copy=False)


def person_column(people: pl.DataFrame, field: str) -> pl.Series:
    if field in people.columns:
        return people[field]
    source = DERIVED_FROM.get(field)
    if source is not None and source in people.columns:
        return people[source].cast(pl.String).str.strip_chars().str.extract(r"@([^@]+)$")
    raise ScoringInputError(f"people: missing column {field!r} (the contract's rules read it)")


def field_kind(field: str) -> FieldKind:
    return FIELDS[field]


class PersonIndex:
    """Row of each person id in the sorted people arrays; -1 for unknown ids."""

    def __init__(self, sorted_ids: IntArray) -> None:
        self.ids = sorted_ids
        self.low = int(sorted_ids[0]) if sorted_ids.size else 0
        span = int(sorted_ids[-1]) - self.low + 1 if sorted_ids.size else 0
        # Database keys are nearly dense: a direct table beats binary search 30-fold.
        self.table: NDArray[np.int64] | None = None
        if 0 < span <= 4 * sorted_ids.size + 1024:
            self.table = np.full(span, -1, dtype=np.int64)
            self.table[sorted_ids - self.low] = np.arange(sorted_ids.size)

    def rows(self, ids: IntArray) -> IntArray:
        if self.ids.size == 0 or ids.size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        if self.table is not None:
            low, high = int(ids.min()), int(ids.max())
            if low >= self.low and high - self.low < self.table.size:
                return self.table[ids - self.low]  # every id in range: one gather
            offset = ids - self.low
            inside = (ids >= self.low) & (offset < self.table.size)
            return np.where(inside, self.table[np.where(inside, offset, 0)], -1)
        position = np.searchsorted(self.ids, ids).clip(max=self.ids.size - 1)
        return np.where(self.ids[position] == ids, position, -1).astype(np.int64)
