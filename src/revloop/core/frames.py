"""Read query results into polars frames fast, on either database.

The ORM builds a Python object per row, which at ten million rows costs more than
the work done with them. Here rows go from the driver straight into columns:
PostgreSQL streams ``COPY … TO STDOUT`` as CSV into polars' reader; SQLite hands over
plain tuples from its raw cursor in large batches.
"""

from __future__ import annotations

import io
from collections.abc import Collection

import polars as pl
from django.db import connection

UTC = pl.Datetime("us", "UTC")
_FETCH_ROWS = 250_000
#: Above this many ids, reading everyone and filtering beats a long ``IN`` list.
_INLINE_IDS = 100_000


def as_text(column: str) -> str:
    # As text, a timestamp skips the driver's per-row conversion to a Python datetime
    # (SQLite's declared-type converters); polars parses the whole column at once.
    return f"CAST({column} AS TEXT)"


def read_sql(sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run ``sql`` on the default connection into a frame of ``schema`` (UTC datetimes)."""
    connection.ensure_connection()
    text_schema = {
        name: pl.String() if isinstance(dtype, pl.Datetime) else dtype
        for name, dtype in schema.items()
    }
    if connection.vendor == "postgresql":
        frame = _copy_out(sql, text_schema)
    else:
        frame = _sqlite_rows(sql, text_schema)
    times = [name for name, dtype in schema.items() if isinstance(dtype, pl.Datetime)]
    if not times:
        return frame
    return frame.with_columns(_parse_time(pl.col(name)).alias(name) for name in times)


def read_sql_for_ids(
    sql: str,
    id_column: str,
    schema: dict[str, pl.DataType],
    ids: Collection[int] | None,
    frame_column: str,
    *,
    where: bool = False,
) -> pl.DataFrame:
    """``sql``'s rows whose ``id_column`` is in ``ids`` (all rows for None), as
    :func:`read_sql`. ``where``: ``sql`` has a WHERE clause already; ``frame_column`` is
    the id column's name in the frame."""
    if ids is None:
        return read_sql(sql, schema)
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return pl.DataFrame(schema=schema)
    if len(wanted) > _INLINE_IDS:
        keep = pl.Series(frame_column, wanted, dtype=pl.Int64)
        return read_sql(sql, schema).filter(pl.col(frame_column).is_in(keep.implode()))
    listed = ", ".join(str(i) for i in wanted)  # integers only: nothing to escape
    joiner = " AND " if where else " WHERE "
    return read_sql(f"{sql}{joiner}{id_column} IN ({listed})", schema)


def _parse_time(column: pl.Expr) -> pl.Expr:
    # SQLite holds naive UTC text; PostgreSQL's CSV adds the zone ("+00").
    text = column.str.replace(r"\+00(:00)?$", "")
    return text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", time_zone="UTC")


def _copy_out(sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    buffer = io.BytesIO()
    # Django keeps the session in UTC, so timestamps come out as "... +00".
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy,
    ):
        for block in copy:
            buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(
        buffer,
        has_header=False,
        new_columns=list(schema),
        schema_overrides=schema,
    )


def _sqlite_rows(sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    # The raw sqlite3 cursor: Django's wrapper would rewrite the statement and, in
    # DEBUG, keep a record of it in memory.
    cursor = connection.connection.execute(sql)
    parts: list[pl.DataFrame] = []
    while rows := cursor.fetchmany(_FETCH_ROWS):
        parts.append(pl.DataFrame(rows, schema=schema, orient="row"))
    cursor.close()
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts, rechunk=True)
