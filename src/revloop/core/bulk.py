"""Fast bulk insert of polars frames: COPY on PostgreSQL, one executemany on SQLite.

Used where rows arrive by the million (the demo company, CSV imports). The ORM's
``bulk_create`` builds a Python object per row, which alone would take longer
than the whole insert; here rows go from columnar data straight to the driver.
Column names of the frame must be the table's column names.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import polars as pl
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Field, JSONField, Model
from django.utils import timezone

# Django stores aware datetimes on SQLite as naive UTC text in str(datetime)
# form: no fraction when the microseconds are zero. Matching it exactly keeps
# string comparisons in range queries right.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S%.6f"


def _sqlite_ready(frame: pl.DataFrame) -> pl.DataFrame:
    conversions = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            column = pl.col(name)
            if dtype.time_zone not in (None, "UTC"):
                column = column.dt.convert_time_zone("UTC")
            conversions.append(
                column.dt.strftime(_SQLITE_DATETIME).str.replace(r"\.000000$", "").alias(name)
            )
        elif dtype == pl.Date:
            conversions.append(pl.col(name).dt.strftime("%Y-%m-%d").alias(name))
        elif isinstance(dtype, pl.Decimal):
            conversions.append(pl.col(name).cast(pl.String).alias(name))
        elif dtype == pl.Boolean:
            conversions.append(pl.col(name).cast(pl.Int8).alias(name))
    return frame.with_columns(conversions) if conversions else frame


def _with_defaults(model: type[Model], frame: pl.DataFrame) -> pl.DataFrame:
    """Add the model's columns that ``frame`` lacks, filled with each field's default."""
    missing = []
    for field in model._meta.concrete_fields:
        if field.column in frame.columns or field.primary_key:
            continue
        # Django's own rule: the declared default, else "" for text fields, else None.
        if isinstance(field, JSONField):
            value = json.dumps(field.get_default())
        else:
            value = field.get_db_prep_save(field.get_default(), connection)
        if not isinstance(value, str | int | float | bool | None):
            value = str(value)
        missing.append(pl.lit(value).alias(field.column))
    return frame.with_columns(missing) if missing else frame


def insert_frame(model: type[Model], frame: pl.DataFrame) -> int:
    """Insert every row of ``frame`` into ``model``'s table on the default connection.

    Columns the frame leaves out take the field's default.
    """
    if frame.height == 0:
        return 0
    table = model._meta.db_table
    frame = _with_defaults(model, frame)
    columns = frame.columns
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        frame.write_csv(
            buffer,
            include_header=False,
            quote_style="non_numeric",
            datetime_format="%Y-%m-%d %H:%M:%S%.6f%:z",
            date_format="%Y-%m-%d",
        )
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
    else:
        placeholders = ", ".join("?" for _ in columns)
        # The raw sqlite3 cursor: Django's wrapper would rewrite each statement
        # and, in DEBUG, keep every parameter in memory.
        raw_connection = connection.connection
        ready = _sqlite_ready(frame)
        # Zipping whole columns is about twice as fast as DataFrame.iter_rows().
        rows = zip(*(ready.get_column(name).to_list() for name in columns), strict=True)
        raw_connection.executemany(
            f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",  # noqa: S608 - names come from our models
            rows,
        )
    return frame.height


def reset_sequences(models: Iterable[type[Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# SQLite accepts 32,766 bound parameters per statement, PostgreSQL 65,535.
_MAX_PARAMS = 30_000


_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)


def _adapter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """The cheapest correct way to turn a Python value into this field's parameter.

    ``get_db_prep_save`` costs microseconds per call; on a million-row import that
    is most of the time, and for text and numbers it returns the value unchanged.
    """
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, _PASS_THROUGH):
        return lambda value: value
    if isinstance(field, JSONField):
        empty = field.get_db_prep_save({}, connection)
        return lambda value: empty if value == {} else field.get_db_prep_save(value, connection)
    return lambda value: field.get_db_prep_save(value, connection)


def insert_ignoring_conflicts(
    model: type[Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict_field: str,
    returning: Sequence[str] = ("id",),
) -> list[tuple[Any, ...]]:
    """Insert ``rows``, skipping those that clash on ``conflict_field``; return the inserted.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` tells exactly which rows this
    statement wrote, also when a parallel request inserted the same keys a moment
    earlier: the database decides, not a read-then-write race in Python. Fields a
    row leaves out take the model default (auto_now fields: the current time).
    """
    if not rows:
        return []
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    adapters = [_adapter(f) for f in fields]
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    per_row = len(fields)
    target = model._meta.get_field(conflict_field).column
    back = ", ".join(ops.quote_name(model._meta.get_field(name).column) for name in returning)
    inserted: list[tuple[Any, ...]] = []
    step = max(1, _MAX_PARAMS // per_row)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            batch = rows[start : start + step]
            params: list[Any] = []
            for row in batch:
                for field, adapt in zip(fields, adapters, strict=True):
                    if field.attname in row:
                        value = row[field.attname]
                    elif field.name in row:
                        value = row[field.name]
                    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                        value = now
                    else:
                        value = field.get_default()
                    params.append(adapt(value))
            values = ", ".join("(" + ", ".join(["%s"] * per_row) + ")" for _ in batch)
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({columns}) VALUES {values} "  # noqa: S608 - our own names
                f"ON CONFLICT ({ops.quote_name(target)}) DO NOTHING RETURNING {back}",
                params,
            )
            inserted.extend(cursor.fetchall())
    return inserted
