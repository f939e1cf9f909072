"""Read ChannelAttribution's aggregated path files, so users can move over and compare.

The format (``Data.csv`` in that package): a header, then one row per distinct path
with the path's steps joined by ``" > "`` and three numbers, e.g.::

    path;total_conversions;total_conversion_value;total_null
    eta > iota > alpha > eta;1;0.244;3

The field delimiter varies between copies of the file (the package ships it with
``;``, other copies use ``,``), so it is sniffed from the header. Only the path and
the conversions are required; the value and non-conversion columns may be absent. Parsing runs in
polars, column at a time, because such files reach millions of rows; errors are
collected for every bad row, each naming its line and column, and raised together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from revloop.engine.attribution.journeys import FloatArray, Journeys

_DELIMITERS = (";", ",", "\t", "|")
_ERRORS_IN_MESSAGE = 10
# Line 1 holds the header, so data row i (0-based) is on line i + 2.
_FIRST_DATA_LINE = 2


@dataclass(frozen=True)
class RowError:
    """One bad cell: the file line (1-based, header = line 1), the column and what is wrong."""

    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column!r}: {self.problem}"


class PathFileError(ValueError):
    """The file cannot be read as ChannelAttribution paths; ``errors`` lists every bad cell."""

    def __init__(self, source: str, errors: list[RowError] | str) -> None:
        self.errors: list[RowError] = [] if isinstance(errors, str) else errors
        if isinstance(errors, str):
            detail = errors
        else:
            shown = "; ".join(map(str, errors[:_ERRORS_IN_MESSAGE]))
            more = len(errors) - _ERRORS_IN_MESSAGE
            detail = shown + (f"; and {more} more" if more > 0 else "")
        super().__init__(f"{source}: {detail}")


def _header_fields(file: Path, delimiter: str) -> list[str]:
    with file.open(encoding="utf-8-sig") as handle:
        header = handle.readline().rstrip("\r\n")
    return [name.strip().strip('"') for name in header.split(delimiter)]


def _quoted(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(map(repr, names))


def _missing_columns(delimiter: str, missing: list[str], found: list[str]) -> str:
    named = "tab" if delimiter == "\t" else repr(delimiter)
    return (
        f"header (line 1): missing column(s) {_quoted(missing)}; "
        f"the header holds {_quoted(found)} (split on {named})"
    )


@dataclass(frozen=True)
class PathFileLayout:
    """How a path file is laid out: its delimiter, its header, and which of the optional
    columns it has (``None`` when absent: value, or non-conversions, are then 0)."""

    delimiter: str
    columns: tuple[str, ...]
    value_column: str | None
    nulls_column: str | None


def sniff_delimiter(file: Path, required: tuple[str, ...]) -> str:
    """The delimiter under which the header holds every ``required`` column.

    When none does, the error names the missing columns and the columns found under the
    delimiter that came closest (most required columns, then most columns)."""
    headers = {d: _header_fields(file, d) for d in _DELIMITERS}
    for delimiter, fields in headers.items():
        if set(required) <= set(fields):
            return delimiter
    closest = max(
        _DELIMITERS,
        key=lambda d: (len(set(required) & set(headers[d])), len(headers[d])),
    )
    missing = [c for c in required if c not in headers[closest]]
    raise PathFileError(str(file), _missing_columns(closest, missing, headers[closest]))


def path_file_layout(
    source: str | os.PathLike[str],
    *,
    path_column: str = "path",
    conversions_column: str = "total_conversions",
    value_column: str | None = "total_conversion_value",
    nulls_column: str | None = "total_null",
    delimiter: str | None = None,
) -> PathFileLayout:
    """The file's layout; the path and conversions columns are required, the value and
    non-conversion columns are used when the header has them (ChannelAttribution's own
    ``var_value`` and ``var_null`` are optional too)."""
    file = Path(source)
    required = (path_column, conversions_column)
    if delimiter is None:
        delimiter = sniff_delimiter(file, required)
    found = _header_fields(file, delimiter)
    missing = [c for c in required if c not in found]
    if missing:
        raise PathFileError(str(file), _missing_columns(delimiter, missing, found))
    return PathFileLayout(
        delimiter=delimiter,
        columns=tuple(found),
        value_column=value_column if value_column in found else None,
        nulls_column=nulls_column if nulls_column in found else None,
    )


def _numbers(frame: pl.DataFrame, column: str, errors: list[RowError]) -> FloatArray:
    raw = frame.get_column(column)
    parsed = raw.str.strip_chars().cast(pl.Float64, strict=False)
    bad = (parsed.is_null() | ~parsed.is_finite() | (parsed < 0)).fill_null(value=True)
    for row in bad.arg_true().to_list():
        cell = raw[row]
        problem = (
            "missing" if cell is None or not cell.strip() else f"{cell!r} is not a number >= 0"
        )
        errors.append(RowError(row + _FIRST_DATA_LINE, column, problem))
    return parsed.fill_null(0.0).to_numpy().astype(np.float64)


def read_channelattribution_paths(
    source: str | os.PathLike[str],
    *,
    path_column: str = "path",
    conversions_column: str = "total_conversions",
    value_column: str | None = "total_conversion_value",
    nulls_column: str | None = "total_null",
    step_separator: str = ">",
    delimiter: str | None = None,
) -> Journeys:
    """Read an aggregated path file into ``Journeys`` (one path per row, not merged).

    Steps are split on ``step_separator`` and stripped of surrounding whitespace, as
    ChannelAttribution does. The value and non-conversion columns are optional: when
    the header lacks one (or it is passed as ``None``) that number is 0 on every path.
    ``delimiter`` is sniffed from the header unless given. A missing required column is
    named together with the columns the header does hold. Raises ``PathFileError``
    listing every bad cell (missing or negative numbers, empty paths or steps) by line
    and column.
    """
    file = Path(source)
    layout = path_file_layout(
        file,
        path_column=path_column,
        conversions_column=conversions_column,
        value_column=value_column,
        nulls_column=nulls_column,
        delimiter=delimiter,
    )
    delimiter = layout.delimiter
    value_column, nulls_column = layout.value_column, layout.nulls_column
    optional = tuple(c for c in (value_column, nulls_column) if c is not None)
    required = (path_column, conversions_column, *optional)
    try:
        frame = pl.read_csv(
            file, separator=delimiter, infer_schema=False, columns=list(required), quote_char='"'
        )
    except pl.exceptions.PolarsError as error:
        reason = " ".join(str(error).split())
        raise PathFileError(str(file), f"not a readable delimited file ({reason})") from error

    errors: list[RowError] = []
    conversions = _numbers(frame, conversions_column, errors)
    n_rows = frame.height
    value = _numbers(frame, value_column, errors) if value_column else np.zeros(n_rows)
    nulls = _numbers(frame, nulls_column, errors) if nulls_column else np.zeros(n_rows)

    split = frame.get_column(path_column).fill_null("").str.split(step_separator)
    lengths = split.list.len().to_numpy().astype(np.int64)
    steps = split.explode().str.strip_chars()
    rows_of_step = np.repeat(np.arange(n_rows), lengths)
    for row in np.unique(rows_of_step[(steps == "").to_numpy()]).tolist():
        cell = frame.get_column(path_column)[row]
        problem = "empty path" if not (cell or "").strip() else f"empty step in {cell!r}"
        errors.append(RowError(row + _FIRST_DATA_LINE, path_column, problem))
    if errors:
        errors.sort(key=lambda e: (e.line, required.index(e.column)))
        raise PathFileError(str(file), errors)

    labels = steps.unique().sort()
    step_ids = steps.cast(pl.Enum(labels)).to_physical().to_numpy()
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return Journeys(
        channels=tuple(labels.to_list()),
        offsets=offsets,
        steps=step_ids.astype(np.int32),
        conversions=conversions,
        value=value,
        nulls=nulls,
    )
