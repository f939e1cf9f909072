"""Markov order 1 straight from a ChannelAttribution path file, in constant memory.

:func:`.pathfile.read_channelattribution_paths` builds every journey in memory, which
any model can use. Markov at order 1 needs far less: how often each channel follows
another (or the start), and how the journeys ending on each channel ended. This reads
the file in batches of rows (Arrow's streaming CSV reader), counts those moves per
batch in polars and adds the counts up; journeys are never materialised, so memory
stays that of one batch whatever the file's size. The counts then go through
:func:`.counts.markov_from_counts`, which solves exactly the chain
:func:`.markov.markov` fits on the journeys (order 1, repeats collapsed, as
ChannelAttribution does): the same credit and removal effects.

Rows are checked as :func:`.pathfile.read_channelattribution_paths` checks them, each
bad cell named by line and column, and every one reported together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from revloop.engine.attribution.counts import End, Move, TransitionCounts, markov_from_counts
from revloop.engine.attribution.journeys import FloatArray, IntArray
from revloop.engine.attribution.pathfile import (
    PathFileError,
    PathFileLayout,
    RowError,
    path_file_layout,
)
from revloop.engine.attribution.result import AttributionResult

#: Bytes of the file parsed at once: a batch of rows and its moves stay a few tens of MB.
BLOCK_BYTES = 8 << 20
_FIRST_DATA_LINE = 2
_ERRORS_KEPT = 1000


@dataclass(frozen=True)
class StreamedCounts:
    """Order-1 moves counted over a whole path file, and every channel it names."""

    counts: TransitionCounts
    channels: tuple[str, ...]
    rows: int


def _number(
    frame: pl.DataFrame, column: str, first_line: int, errors: list[RowError]
) -> FloatArray:
    raw = frame.get_column(column)
    parsed = raw.str.strip_chars().cast(pl.Float64, strict=False)
    bad = (parsed.is_null() | ~parsed.is_finite() | (parsed < 0)).fill_null(value=True)
    if bad.any():
        for row in bad.arg_true().to_list()[:_ERRORS_KEPT]:
            cell = raw[row]
            problem = (
                "missing" if cell is None or not cell.strip() else f"{cell!r} is not a number >= 0"
            )
            errors.append(RowError(first_line + row, column, problem))
    found: FloatArray = parsed.fill_null(0.0).to_numpy().astype(np.float64)
    return found


class _Labels:
    """Channel labels seen so far, numbered in order of appearance.

    Only the distinct raw texts of a batch (a handful) are stripped and looked up; every
    step is then numbered through an enum of them, without a string operation each."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def of(self, steps: pl.Series) -> IntArray:
        distinct = steps.unique().drop_nulls()
        texts = distinct.to_list()
        codes = steps.cast(pl.Enum(texts)).to_physical().to_numpy().astype(np.int64)
        lookup = np.array(
            [self.ids.setdefault(text.strip(), len(self.ids)) for text in texts], dtype=np.int64
        )
        found: IntArray = lookup[codes]
        return found


@dataclass
class _Batch:
    """One batch of rows: where it starts in the file, and its parsed columns."""

    frame: pl.DataFrame
    first_line: int
    errors: list[RowError]


def _batch_moves(
    batch: _Batch, layout: PathFileLayout, columns: tuple[str, str], separator: str, labels: _Labels
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One batch's moves ``(source, target, count)`` and ends ``(state, c, n, v)``, as
    label ids (``source`` -1 is the start)."""
    frame, first_line, errors = batch.frame, batch.first_line, batch.errors
    path_column, conversions_column = columns
    height = frame.height
    converted = _number(frame, conversions_column, first_line, errors)
    zero = np.zeros(height)
    value = _number(frame, layout.value_column, first_line, errors) if layout.value_column else zero
    lost = _number(frame, layout.nulls_column, first_line, errors) if layout.nulls_column else zero
    paths = frame.get_column(path_column).fill_null("")
    parts = paths.str.split(separator)
    lengths = parts.list.len().to_numpy().astype(np.int64)
    steps = labels.of(parts.explode())
    row = np.repeat(np.arange(height, dtype=np.int64), lengths)
    blank = labels.ids.get("")
    if blank is not None:
        for bad in np.unique(row[steps == blank]).tolist()[:_ERRORS_KEPT]:
            cell = paths[bad]
            problem = "empty path" if not cell.strip() else f"empty step in {cell!r}"
            errors.append(RowError(first_line + bad, path_column, problem))
    weight = converted + lost
    same_row = np.zeros(row.size, dtype=bool)
    same_row[1:] = row[1:] == row[:-1]
    repeat = np.zeros(row.size, dtype=bool)
    repeat[1:] = steps[1:] == steps[:-1]
    # Repeats of one channel in a row are one step (ChannelAttribution at order 1), and
    # paths that neither convert nor fail carry no weight.
    keep = (weight[row] > 0) & ~(same_row & repeat)
    row, steps = row[keep], steps[keep]
    first = np.ones(row.size, dtype=bool)
    first[1:] = row[1:] != row[:-1]
    source = np.empty(row.size, dtype=np.int64)
    source[0:1] = -1
    source[1:] = steps[:-1]
    source[first] = -1
    moves = (
        pl.DataFrame({"source": source, "target": steps, "count": weight[row]})
        .group_by("source", "target")
        .agg(pl.col("count").sum())
    )
    last = np.ones(row.size, dtype=bool)
    last[:-1] = row[:-1] != row[1:]
    ended = row[last]
    ends = (
        pl.DataFrame(
            {"state": steps[last], "c": converted[ended], "n": lost[ended], "v": value[ended]}
        )
        .group_by("state")
        .agg(pl.col("c", "n", "v").sum())
    )
    return moves, ends


def count_path_file(
    source: str | os.PathLike[str],
    *,
    path_column: str = "path",
    conversions_column: str = "total_conversions",
    value_column: str | None = "total_conversion_value",
    nulls_column: str | None = "total_null",
    step_separator: str = ">",
    delimiter: str | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> StreamedCounts:
    """The order-1 moves of every journey in the file (module docstring)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]

    file = Path(source)
    layout = path_file_layout(
        file,
        path_column=path_column,
        conversions_column=conversions_column,
        value_column=value_column,
        nulls_column=nulls_column,
        delimiter=delimiter,
    )
    header = list(layout.columns)
    # The header is named from our own reading of it (BOM and padding stripped); a
    # repeated name would confuse the reader, so the others get placeholders.
    names = [name if header.index(name) == i else f"__column_{i}" for i, name in enumerate(header)]
    wanted = [
        c for c in (path_column, conversions_column, layout.value_column, layout.nulls_column) if c
    ]
    try:
        reader = pacsv.open_csv(
            file,
            read_options=pacsv.ReadOptions(
                skip_rows=1,
                column_names=names,
                block_size=block_bytes,
                encoding="utf8",
                use_threads=False,
            ),
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, quote_char='"'),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted, column_types={c: pa.string() for c in wanted}
            ),
        )
    except (pa.ArrowInvalid, OSError) as error:
        reason = " ".join(str(error).split())
        raise PathFileError(str(file), f"not a readable delimited file ({reason})") from error
    errors: list[RowError] = []
    moves: list[pl.DataFrame] = []
    ends: list[pl.DataFrame] = []
    labels = _Labels()
    line = _FIRST_DATA_LINE
    try:
        for chunk in reader:
            frame = pl.from_arrow(chunk)
            assert isinstance(frame, pl.DataFrame)
            found = _batch_moves(
                _Batch(frame, line, errors),
                layout,
                (path_column, conversions_column),
                step_separator,
                labels,
            )
            moves.append(found[0])
            ends.append(found[1])
            line += frame.height
            # Batches' counts are added up as they come, so they never pile up.
            if len(moves) > 16:
                moves, ends = [_sum_moves(moves)], [_sum_ends(ends)]
    except pa.ArrowInvalid as error:
        reason = " ".join(str(error).split())
        raise PathFileError(str(file), f"not a readable delimited file ({reason})") from error
    if errors:
        order = {c: i for i, c in enumerate(wanted)}
        errors.sort(key=lambda e: (e.line, order[e.column]))
        raise PathFileError(str(file), errors)
    names = sorted(labels.ids, key=labels.ids.__getitem__)
    return StreamedCounts(
        counts=_counts(_sum_moves(moves), _sum_ends(ends), names),
        channels=tuple(sorted(n for n in names if n)),
        rows=line - _FIRST_DATA_LINE,
    )


def _sum_moves(frames: list[pl.DataFrame]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema={"source": pl.String, "target": pl.String, "count": pl.Float64})
    return pl.concat(frames).group_by("source", "target").agg(pl.col("count").sum())


def _sum_ends(frames: list[pl.DataFrame]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(
            schema={"state": pl.Int64, "c": pl.Float64, "n": pl.Float64, "v": pl.Float64}
        )
    return pl.concat(frames).group_by("state").agg(pl.col("c", "n", "v").sum())


def _counts(moves: pl.DataFrame, ends: pl.DataFrame, names: list[str]) -> TransitionCounts:
    found: list[Move] = [
        (() if origin < 0 else (names[origin],), (names[to],), float(times))
        for origin, to, times in moves.iter_rows()
    ]
    finals: list[End] = [
        ((names[state],), float(c), float(n), float(v)) for state, c, n, v in ends.iter_rows()
    ]
    return TransitionCounts.from_moves(found, finals)


def markov_from_path_file(
    source: str | os.PathLike[str], *, delimiter: str | None = None, block_bytes: int = BLOCK_BYTES
) -> AttributionResult:
    """Markov order 1 (repeats collapsed) over a path file, streamed (module docstring)."""
    streamed = count_path_file(source, delimiter=delimiter, block_bytes=block_bytes)
    return markov_from_counts(
        streamed.counts,
        channels=streamed.channels,
        detail=f"order 1, repeats collapse, streamed from {streamed.rows:,} rows",
    )
