"""Fast bulk writes of polars frames: COPY on PostgreSQL, one executemany on SQLite.

Used where rows arrive by the million (the demo company, CSV imports). The ORM's
``bulk_create`` builds a Python object per row, which alone would take longer
than the whole insert; here rows go from columnar data straight to the driver.
Column names of the frame must be the table's column names.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import polars as pl
import psycopg
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Field, JSONField, Model
from django.utils import timezone

# Django stores aware datetimes on SQLite as naive UTC text in str(datetime)
# form: no fraction when the microseconds are zero. Matching it exactly keeps
# string comparisons in range queries right.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S%.6f"
# SQLite accepts 32,766 bound parameters per statement, PostgreSQL 65,535.
_MAX_PARAMS = 30_000
#: SQLite settings while many rows are written (see :func:`bulk_session`): a 256 MiB
#: page cache keeps the indexes of a big table in memory between batches; staging
#: tables live in memory; the WAL is copied back into the database every 256 MiB
#: (65,536 pages of 4 KiB) rather than every 4 MiB, so a page rewritten by many
#: batches is copied once (40% more touches/s measured on a 200k-row import).
_SQLITE_BULK_PRAGMAS = {"cache_size": -262_144, "temp_store": 2, "wal_autocheckpoint": 65_536}


@contextmanager
def bulk_session() -> Iterator[None]:
    """Settings for writing many rows on this connection, put back afterwards.

    SQLite only; each is safe: ``synchronous`` stays NORMAL and the journal stays in
    WAL, so a crash of the process loses nothing committed and a power loss at most
    the last commits, never the database's consistency (``synchronous=OFF`` could
    corrupt it, so it is not used). The cost is memory (the page cache) and a WAL
    file up to 256 MiB during the import. PostgreSQL needs nothing: COPY is its bulk path.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    # SQLite refuses to move temporary storage inside a transaction; the rest may change.
    wanted = {
        name: value
        for name, value in _SQLITE_BULK_PRAGMAS.items()
        if name != "temp_store" or not connection.in_atomic_block
    }
    before = {name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in wanted}
    for name, value in wanted.items():
        raw.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        for name, value in before.items():
            raw.execute(f"PRAGMA {name} = {int(value)}")


def column_of(model: type[Model], name: str | None = None) -> str:
    """The table column of ``model``'s field ``name`` (its primary key when ``name`` is None).

    Reverse relations and virtual fields have no column; asking for one is a mistake here.
    """
    field = model._meta.pk if name is None else model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name or 'pk'} has no column of its own")
    return column


def _concrete_column(field: Field[Any, Any]) -> str:
    # Concrete fields always have a column; the stubs allow None for the other kinds.
    assert field.column is not None
    return field.column


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
        column = _concrete_column(field)
        if column in frame.columns or field.primary_key:
            continue
        # Django's own rule: the declared default, else "" for text fields, else None;
        # auto_now(_add) fields take the current time.
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            missing.append(pl.lit(timezone.now()).dt.convert_time_zone("UTC").alias(column))
            continue
        value: object
        if isinstance(field, JSONField):
            value = json.dumps(field.get_default())
        else:
            value = field.get_db_prep_save(field.get_default(), connection)
        if not isinstance(value, str | int | float | bool | None):
            value = str(value)
        missing.append(pl.lit(value).alias(column))
    return frame.with_columns(missing) if missing else frame


def insert_frame(
    model: type[Model], frame: pl.DataFrame, *, skip_conflicts_on: str | None = None
) -> int:
    """Insert every row of ``frame`` into ``model``'s table on the default connection.

    Columns the frame leaves out take the field's default. With
    ``skip_conflicts_on`` (a unique column), rows whose key is already stored, or
    repeats a key earlier in the frame, are skipped rather than failing the
    statement; the return value counts the rows actually inserted either way.
    """
    if frame.height == 0:
        return 0
    table = model._meta.db_table
    frame = _with_defaults(model, frame)
    if skip_conflicts_on is not None:
        # Key order is lock order: parallel writers of overlapping rows cannot deadlock.
        frame = frame.sort(skip_conflicts_on, maintain_order=True)
    columns = frame.columns
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    connection.ensure_connection()
    if connection.vendor == "postgresql" and skip_conflicts_on is not None:
        return _staged_insert(table, frame, quoted, skip_conflicts_on)
    on_conflict = (
        f" ON CONFLICT ({connection.ops.quote_name(skip_conflicts_on)}) DO NOTHING"
        if skip_conflicts_on
        else ""
    )
    return _write_rows(table, frame, quoted, on_conflict)


def _refuse_nul(frame: pl.DataFrame) -> None:
    """PostgreSQL's text cannot hold NUL; COPY would fail on it with an encoding error
    that names no column. The doors refuse NUL, so one here is a caller's mistake."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return
    found = frame.select(pl.col(text).str.contains("\x00", literal=True).any())
    bad = [name for name in text if found.get_column(name).item()]
    if bad:
        raise ValueError(f"text holds a NUL character, which PostgreSQL cannot store: {bad}")


def _write_rows(table: str, frame: pl.DataFrame, quoted: str, on_conflict: str = "") -> int:
    """Insert ``frame``'s columns (``quoted``) into ``table``; the number of rows written.

    COPY on PostgreSQL (which cannot skip conflicts: ``on_conflict`` is SQLite's);
    on SQLite one executemany on the raw sqlite3 cursor, since Django's wrapper would
    rewrite each statement and, in DEBUG, keep every parameter in memory.
    """
    if connection.vendor == "postgresql":
        _refuse_nul(frame)
        buffer = io.BytesIO()
        frame.write_csv(
            buffer,
            include_header=False,
            quote_style="non_numeric",
            datetime_format="%Y-%m-%d %H:%M:%S%.6f%:z",
            date_format="%Y-%m-%d",
        )
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT csv)") as copy,
        ):
            copy.write(buffer.getvalue())
        return frame.height
    placeholders = ", ".join("?" for _ in frame.columns)
    ready = _sqlite_ready(frame)
    # Zipping whole columns is about twice as fast as DataFrame.iter_rows().
    rows = zip(*(ready.get_column(name).to_list() for name in frame.columns), strict=True)
    cursor = connection.connection.executemany(
        f"INSERT INTO {table} ({quoted}) VALUES ({placeholders}){on_conflict}",  # noqa: S608 - names come from our models
        rows,
    )
    # sqlite3 sums the changes of every execution; skipped rows change nothing.
    return int(cursor.rowcount)


def insert_frame_returning(
    model: type[Model], frame: pl.DataFrame, *, skip_conflicts_on: str, returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """As :func:`insert_frame` with ``skip_conflicts_on``, returning ``returning`` of each
    row actually inserted (not of the skipped ones)."""
    if frame.height == 0:
        return []
    table = model._meta.db_table
    quote = connection.ops.quote_name
    back = ", ".join(quote(column_of(model, name)) for name in returning)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            frame = _with_defaults(model, frame).sort(skip_conflicts_on, maintain_order=True)
            quoted = ", ".join(quote(c) for c in frame.columns)
            return _staged_insert(table, frame, quoted, skip_conflicts_on, returning=back)
        # sqlite3's executemany cannot return rows. A SQLite transaction has the database
        # to itself (revloop opens them IMMEDIATE), so the rows after the highest id
        # seen before the insert are exactly the ones it wrote.
        pk = quote(column_of(model))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 - our own names
            (before,) = cursor.fetchone()
            insert_frame(model, frame, skip_conflicts_on=skip_conflicts_on)
            cursor.execute(
                f"SELECT {back} FROM {table} WHERE {pk} > %s ORDER BY {pk}",  # noqa: S608 - our own names
                [before],
            )
            return list(cursor.fetchall())


def values_for_keys(
    model: type[Model], key_field: str, keys: Iterable[str], value_field: str = "id"
) -> dict[str, Any]:
    """``{key: value}`` for the stored rows whose unique ``key_field`` is in ``keys``.

    Plain SQL in large chunks: the ORM's ``__in`` lookup prepares each of thousands of
    parameters one by one, which made it the slowest part of a big import.
    """
    quote = connection.ops.quote_name
    key = quote(column_of(model, key_field))
    value = quote(column_of(model, value_field))
    wanted = list(keys)
    found: dict[str, Any] = {}
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        # One array parameter: psycopg parses a query of thousands of placeholders slowly.
        # Bound on the server: Django's client-side binding quotes every key of the array
        # in Python, a quarter of a large import's time (200k keys: 1.04 s against 0.71 s).
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as raw:
            raw.execute(
                f"SELECT {key}, {value} FROM {table} WHERE {key} = ANY(%s)",  # noqa: S608 - our own names
                [wanted],
            )
            return dict(raw.fetchall())
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), _MAX_PARAMS):
            chunk = wanted[start : start + _MAX_PARAMS]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {key}, {value} FROM {table} WHERE {key} IN ({marks})",  # noqa: S608 - our own names
                chunk,
            )
            found.update(cursor.fetchall())
    return found


def _staged_insert(
    table: str, frame: pl.DataFrame, quoted: str, conflict: str, *, returning: str = ""
) -> Any:
    """PostgreSQL: COPY cannot skip conflicts, so it fills a private staging table, from
    which one INSERT moves the new rows in key order.

    The rows whose key is already stored are left out by an anti-join, and a plain
    INSERT (under a savepoint) writes the rest: ``ON CONFLICT`` would make every row a
    speculative insertion (a fifth slower on 200k touches). Only a parallel writer
    storing one of these keys meanwhile, or a clash on another unique index, makes the
    plain INSERT fail; then the same rows go in again with ``ON CONFLICT DO NOTHING``,
    which skips them.
    """
    stage = f"{table}_staging"
    key = connection.ops.quote_name(conflict)
    # Within the frame the first row of a key wins, as ON CONFLICT would decide.
    frame = frame.unique(subset=conflict, keep="first", maintain_order=True)
    select = f"SELECT {quoted} FROM {stage}"  # noqa: S608 - names come from our models
    back = f" RETURNING {returning}" if returning else ""
    fresh = (
        f"INSERT INTO {table} ({quoted}) {select} AS s WHERE NOT EXISTS "  # noqa: S608 - names come from our models
        f"(SELECT 1 FROM {table} AS t WHERE t.{key} = s.{key}) ORDER BY s.{key}{back}"
    )
    # No conflict target: every unique index is an arbiter. With only the key's, a
    # parallel batch inserting the same person could still trip another unique index
    # (the case-insensitive e-mail) and fail instead of skipping the row.
    skipping = f"INSERT INTO {table} ({quoted}) {select} ORDER BY {key} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} AS SELECT {quoted} FROM {table} WITH NO DATA"  # noqa: S608 - names come from our models
        )
        _write_rows(stage, frame, quoted)
        try:
            with transaction.atomic():
                cursor.execute(fresh)
                result = cursor.fetchall() if returning else int(cursor.rowcount)
        except IntegrityError:
            cursor.execute(skipping + back)
            result = cursor.fetchall() if returning else int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {stage}")
    return result


def reset_sequences(models: Iterable[type[Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)


def _as_is(value: Any) -> Any:
    return value


def _sqlite_datetime(value: datetime | None) -> str | None:
    """Django's SQLite form of a datetime (naive UTC text), without its per-call checks."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def _adapter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """The cheapest correct way to turn a Python value into this field's parameter.

    ``get_db_prep_save`` costs microseconds per call; on a million-row import that
    is most of the time, and for text and numbers it returns the value unchanged.
    """
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if connection.vendor == "sqlite" else _as_is
    if isinstance(field, _PASS_THROUGH):
        return _as_is
    if isinstance(field, JSONField):
        empty = field.get_db_prep_save({}, connection)
        return lambda value: empty if value == {} else field.get_db_prep_save(value, connection)
    return lambda value: field.get_db_prep_save(value, connection)


def _default(field: Field[Any, Any], now: datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


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
    columns = ", ".join(ops.quote_name(_concrete_column(f)) for f in fields)
    per_row = len(fields)
    target = column_of(model, conflict_field)
    back = ", ".join(ops.quote_name(column_of(model, name)) for name in returning)
    inserted: list[tuple[Any, ...]] = []
    step = max(1, _MAX_PARAMS // per_row)
    # Per field, once: where a row keeps its value, and the adapted value when it has none.
    plan = [
        (field.attname, field.name, adapt, adapt(_default(field, now)))
        for field, adapt in zip(fields, adapters, strict=True)
    ]
    missing = object()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            batch = rows[start : start + step]
            params: list[Any] = []
            for row in batch:
                get = row.get
                for attname, name, adapt, default in plan:
                    value = get(attname, missing)
                    if value is missing:
                        value = get(name, missing)
                    params.append(default if value is missing else adapt(value))
            values = ", ".join("(" + ", ".join(["%s"] * per_row) + ")" for _ in batch)
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({columns}) VALUES {values} "  # noqa: S608 - our own names
                f"ON CONFLICT ({ops.quote_name(target)}) DO NOTHING RETURNING {back}",
                params,
            )
            inserted.extend(cursor.fetchall())
    return inserted


_SQL_TYPES = {
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE PRECISION",
    pl.String: "TEXT",
}


# Many rows' columns at once: one UPDATE per row would take minutes for a million
# people, and the ORM's bulk_update builds a CASE per column that grows with every
# row. The values go into a temporary table and one ``UPDATE … FROM`` joins them in.
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
        _write_rows(stage, frame, ", ".join(quote(name) for name in frame.columns))
        cursor.execute(update, list(constants))
        updated = [int(row[0]) for row in cursor.fetchall()] if returning else []
        cursor.execute(f"DROP TABLE {stage}")
    return updated
