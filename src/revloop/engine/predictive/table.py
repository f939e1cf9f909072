"""Read a tabular export (a CRM's lead export, say) into a polars frame for evaluation.

The bytes go through the import reader (:class:`~revloop.engine.imports.reader.CsvReader`),
so a byte-order mark, Excel's ``sep=`` line, any of ``,`` ``;`` tab ``|`` as the
delimiter, quoted line breaks and repeated header names all work as they do for an
import. Values arrive as text; a column becomes Int64 or Float64 when every non-empty
value is a number, and a datetime when every non-empty value is an ISO date. Empty
cells are nulls.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl

from revloop.engine.imports.errors import CsvFileError, RowError
from revloop.engine.imports.reader import CsvReader

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def read_table(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    bad_rows: list[RowError] | None = None,
) -> pl.DataFrame:
    """The CSV file at ``path`` as a typed frame.

    Rows that cannot be read (wrong number of fields, undecodable bytes, oversized)
    are left out; pass a list as ``bad_rows`` to receive one error per such row.
    Raises :class:`~revloop.engine.imports.errors.CsvFileError` when the file as a
    whole is unreadable or holds no rows.
    """
    columns: list[list[str | None]]
    with CsvReader(Path(path), delimiter=delimiter, encoding=encoding) as reader:
        header = reader.header
        columns = [[] for _ in header]
        width = len(header)
        for row in reader:
            if row.error is not None:
                if bad_rows is not None:
                    bad_rows.append(row.error)
                continue
            if len(row.values) != width:
                if bad_rows is not None:
                    reason = f"{len(row.values)} fields where the header has {width}"
                    bad_rows.append(RowError(row.row, "", "", reason))
                continue
            for values, value in zip(columns, row.values, strict=True):
                values.append(value.strip() or None)
    if not columns or not columns[0]:
        raise CsvFileError(f"{path}: the file has a header but no readable rows")
    return pl.DataFrame(
        [
            _typed(pl.Series(name, values, dtype=pl.String))
            for name, values in zip(header, columns, strict=True)
        ]
    )


def _typed(series: pl.Series) -> pl.Series:
    present = series.null_count()
    for dtype in (pl.Int64, pl.Float64):
        cast = series.cast(dtype, strict=False)
        if cast.null_count() == present:
            return cast
    if series.drop_nulls().str.contains(_ISO_DATE.pattern).all() and series.len() > present:
        try:
            parsed = series.str.to_datetime(strict=False)
        except pl.exceptions.PolarsError:
            return series
        if parsed.null_count() == present:
            return parsed
    return series
