"""Vectorised building blocks: ragged segments, categorical draws, time columns.

The generator never loops over people or touches in Python. Per-person lists
(a person's touches, an opportunity's changes) are *segments* of flat arrays:
``counts[i]`` rows for owner ``i``, laid out one owner after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import polars as pl

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

UTC_US = pl.Datetime("us", "UTC")
MONEY = pl.Decimal(14, 2)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch; exact, unlike ``timestamp()`` floats."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall time ``months`` calendar months earlier (day clamped to the month)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=moment.tzinfo)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


@dataclass(frozen=True)
class Clock:
    """The data window ``[start, now)`` in microseconds, and its calendar helpers."""

    start: int
    now: int

    @property
    def days(self) -> float:
        return (self.now - self.start) / US_PER_DAY

    def days_ago(self, days: F64 | float) -> F64:
        """Catalog offsets are written for a 365-day window; scale them to this one."""
        return self.now - np.asarray(days, dtype=np.float64) * (self.days / 365.0) * US_PER_DAY

    def quarter_ends(self) -> I64:
        """Microsecond instants at which calendar quarters (UTC) end, around the window."""
        first = datetime.fromtimestamp(self.start / US_PER_SECOND, tz=UTC)
        year, quarter = first.year, (first.month - 1) // 3
        ends: list[int] = []
        while True:
            quarter += 1
            if quarter == 4:
                year, quarter = year + 1, 0
            end = to_us(datetime(year, quarter * 3 + 1, 1, tzinfo=UTC))
            ends.append(end)
            if end > self.now + 400 * US_PER_DAY:
                return np.asarray(ends, dtype=np.int64)


def segment_starts(counts: I64) -> I64:
    """Offset of each segment's first row in the flat layout."""
    starts = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=starts[1:])
    return starts


def segment_ids(counts: I64) -> I64:
    """For every flat row, the index of the segment it belongs to."""
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def segment_positions(counts: I64) -> I64:
    """For every flat row, its 0-based position inside its segment."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(segment_starts(counts), counts)


def first_in_segment(mask: Bool, seg: I64, n_segments: int) -> I64:
    """Flat index of the first True row of each segment, or -1 when there is none.

    Rows must be grouped by segment in ascending order (as the flat layout is).
    """
    rows = np.flatnonzero(mask)
    first = np.full(n_segments, -1, dtype=np.int64)
    # Assigning in reverse leaves the earliest row of each segment in place.
    first[seg[rows[::-1]]] = rows[::-1]
    return first


def segmented_cumsum(values: F64, counts: I64) -> F64:
    """Running total restarting at each segment."""
    total = np.cumsum(values)
    before = np.concatenate(([0.0], total))[segment_starts(counts)]
    running: F64 = total - np.repeat(before, counts)
    return running


def draw(rng: np.random.Generator, weights: F64, size: int) -> I64:
    """``size`` categorical draws with the given (unnormalised) weights."""
    cdf = np.cumsum(weights, dtype=np.float64)
    found = np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right")
    index: I64 = np.minimum(found, len(weights) - 1).astype(np.int64)
    return index


def sigmoid(x: F64) -> F64:
    p: F64 = 1.0 / (1.0 + np.exp(-x))
    return p


def hex_ids(rng: np.random.Generator, n: int, prefix: str = "", width: int = 16) -> pl.Series:
    """``n`` random strings: ``prefix`` then ``width`` lowercase hex digits."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    codes = np.empty((n, len(head) + width), dtype=np.uint8)
    codes[:, : len(head)] = head
    codes[:, len(head) :] = digits[rng.integers(0, 16, size=(n, width), dtype=np.uint8)]
    # Fixed-width bytes never contain NUL here, so numpy keeps every character.
    return pl.Series(codes.view(f"S{codes.shape[1]}").ravel()).cast(pl.String)


def strings(vocabulary: tuple[str, ...] | list[str], index: I64, name: str = "") -> pl.Series:
    """``vocabulary[index]`` as a string column; -1 gives ``""``."""
    table = pl.Series(name, [*vocabulary, ""], dtype=pl.String)
    safe = np.where(index < 0, len(vocabulary), index)
    return table.gather(safe)


def datetimes(values: I64, name: str = "", valid: Bool | None = None) -> pl.Series:
    series = pl.Series(name, values, dtype=pl.Int64)
    if valid is not None:
        series = series.scatter(np.flatnonzero(~valid), None)
    return series.cast(UTC_US)


def dates(values_us: I64 | F64, name: str = "", valid: Bool | None = None) -> pl.Series:
    days = np.floor_divide(np.asarray(values_us, dtype=np.int64), US_PER_DAY).astype(np.int32)
    series = pl.Series(name, days, dtype=pl.Int32)
    if valid is not None:
        series = series.scatter(np.flatnonzero(~valid), None)
    return series.cast(pl.Date)


def ids(start: int, n: int, name: str = "id") -> pl.Series:
    return pl.Series(name, np.arange(start, start + n, dtype=np.int64))


def nullable_ids(values: I64, name: str) -> pl.Series:
    """An id column where negative values mean null."""
    series = pl.Series(name, values, dtype=pl.Int64)
    missing = np.flatnonzero(values < 0)
    return series.scatter(missing, None) if len(missing) else series
