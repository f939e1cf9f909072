"""Set columns of many rows at once from a polars frame: a temporary table and one UPDATE.

One UPDATE per person would take minutes for a million people; the ORM's
``bulk_update`` builds a CASE per column that grows with every row. Instead the
values go into a temporary table (COPY on PostgreSQL, one executemany on SQLite) and
a single ``UPDATE … FROM`` joins them in.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection

_SQL_TYPES = {
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE PRECISION",
    pl.String: "TEXT",
}


def update_from_frame(
    table: str,
    frame: pl.DataFrame,
    *,
    assignments: dict[str, str],
    constants: Sequence[Any] = (),
    condition: str = "",
    returning: bool = False,
) -> list[int]:
    """``UPDATE table SET …`` from ``frame`` (keyed by its first column, the row id).

    ``assignments`` maps a column of ``table`` to an SQL expression over ``s.<frame
    column>`` and ``%s`` placeholders filled from ``constants`` in order; ``condition``
    adds to the WHERE clause. Returns the ids of the updated rows when ``returning``.
    Runs in the caller's transaction.
    """
    if frame.height == 0:
        return []
    key = frame.columns[0]
    stage = f"{table}_batch"
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{quote(name)} {_SQL_TYPES[type(dtype)]}{' PRIMARY KEY' if name == key else ''}"
        for name, dtype in frame.schema.items()
    )
    sets = ", ".join(
        f"{quote(column)} = {expression}" for column, expression in assignments.items()
    )
    where = f"{table}.id = s.{quote(key)}" + (f" AND ({condition})" if condition else "")
    tail = f" RETURNING {table}.id" if returning else ""
    update = f"UPDATE {table} SET {sets} FROM {stage} AS s WHERE {where}{tail}"  # noqa: S608 - our own names
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMPORARY TABLE {stage} ({columns})")
        _load(stage, frame)
        cursor.execute(update, list(constants))
        updated = [int(row[0]) for row in cursor.fetchall()] if returning else []
        cursor.execute(f"DROP TABLE {stage}")
    return updated


def _load(stage: str, frame: pl.DataFrame) -> None:
    names = ", ".join(connection.ops.quote_name(name) for name in frame.columns)
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, quote_style="non_numeric")
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {stage} ({names}) FROM STDIN (FORMAT csv)") as copy,
        ):
            copy.write(buffer.getvalue())
        return
    placeholders = ", ".join("?" for _ in frame.columns)
    rows = zip(*(frame.get_column(name).to_list() for name in frame.columns), strict=True)
    connection.connection.executemany(
        f"INSERT INTO {stage} ({names}) VALUES ({placeholders})",  # noqa: S608 - our own names
        rows,
    )
