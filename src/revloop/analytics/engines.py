"""Open the analytics tables on the engine the operator chose.

- ``database``: the Django database itself (SQLite or PostgreSQL), through Django's
  own connection, so a report sees exactly what the app sees (in tests, too);
- ``duckdb``: the same tables copied into DuckDB, for large databases: SQLite's window
  functions are slow past ~100k leads. :class:`~revloop.analytics.reports.Reports`
  reads the copy the worker keeps beside the database (:mod:`.store`) when it holds the
  live data (or, for a page, is recent enough), and only otherwise copies the tables
  into an in-process DuckDB itself (one read per table);
- ``spark``: a Spark session on ``REVLOOP_SPARK_MASTER`` (``local[2]``,
  ``spark://host:7077``, ``yarn`` …) reading the revloop tables either from Parquet
  folders under ``REVLOOP_SPARK_PARQUET`` (``<dir>/<table name>``, e.g.
  ``<dir>/activity_touch``) or from the Spark catalog database
  ``REVLOOP_SPARK_DATABASE``, table names optionally prefixed by
  ``REVLOOP_SPARK_PREFIX``;
- ``auto`` (the default, ``REVLOOP_ANALYTICS_ENGINE``): ``duckdb`` on SQLite
  databases with more than ``REVLOOP_ANALYTICS_COPY_TOUCHES`` touches (200,000), else
  ``database``.

With ``REVLOOP_SOURCES`` naming a source mapping (:mod:`revloop.engine.analytics.mapping`),
``spark`` and ``duckdb`` read the company's own warehouse tables in place instead
(``auto`` then means ``duckdb``); DuckDB finds the mapped ``table:`` entries in the
database file ``REVLOOP_DUCKDB`` and reads ``parquet:`` folders directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Max

from revloop.activity.models import Touch
from revloop.analytics.choices import ENGINES
from revloop.analytics.tables import stored_tables
from revloop.core.env import envint, envstr
from revloop.core.errors import InvalidInputError
from revloop.engine.analytics import Tables, TablesError, connect, load_tables, materialize
from revloop.engine.analytics._ibis import ibis
from revloop.engine.analytics.mapping import (
    MappingInvalid,
    SourceMapping,
    mapped_tables,
    parse_mapping,
)

_COPY_TOUCHES = 200_000


def configured_engine() -> str:
    engine = envstr("REVLOOP_ANALYTICS_ENGINE", "auto") or "auto"
    return check_engine(engine)


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise InvalidInputError(f"engine: {engine!r} is not one of {', '.join(ENGINES)}")
    return engine


def resolve_engine(engine: str | None) -> str:
    """``auto`` (or nothing) turned into the engine that will run."""
    chosen = check_engine(engine) if engine else configured_engine()
    if chosen != "auto":
        return chosen
    if envstr("REVLOOP_SOURCES"):
        return "duckdb"
    if connection.vendor != "sqlite":
        return "database"
    biggest = Touch.objects.aggregate(top=Max("id"))["top"] or 0
    limit = envint("REVLOOP_ANALYTICS_COPY_TOUCHES", _COPY_TOUCHES, minimum=0)
    return "duckdb" if biggest > limit else "database"


class _Borrowed:
    """Django's database connection lent to ibis, minus ``commit`` and ``rollback``.

    ibis ends each SQLite query with a COMMIT, and a failed PostgreSQL query with a
    ROLLBACK, which would end whatever transaction Django has open (an atomic block,
    a test). The analytics only read and create temporary objects, so nothing of
    theirs needs either; everything else goes to the real connection."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


def _database_backend() -> Any:
    connection.ensure_connection()
    raw = _Borrowed(connection.connection)
    if connection.vendor == "sqlite":
        backend = ibis.sqlite.from_connection(raw)
        # ibis turns case-sensitive LIKE on; Django's lookups on this same
        # connection expect SQLite's default.
        raw.execute("PRAGMA case_sensitive_like = OFF")
        return backend
    if connection.vendor == "postgresql":
        return ibis.postgres.from_connection(raw)
    raise InvalidInputError(f"analytics cannot read a {connection.vendor} database")


def database_tables() -> Tables:
    """The revloop tables as the Django database holds them, read through its connection."""
    return load_tables(_database_backend(), stored_tables())


def source_mapping() -> SourceMapping | None:
    """The mapping ``REVLOOP_SOURCES`` names, checked; None when it names none."""
    name = envstr("REVLOOP_SOURCES")
    if not name:
        return None
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"REVLOOP_SOURCES: cannot read {path} ({exc})") from None
    try:
        return parse_mapping(text, source=str(path))
    except MappingInvalid as exc:
        raise InvalidInputError(str(exc)) from None


def _spark_backend() -> Any:
    master = envstr("REVLOOP_SPARK_MASTER", "local[2]")
    try:
        return connect(master if master else "spark")
    except ImportError:
        raise InvalidInputError(
            "engine spark needs pyspark: pip install 'revloop[spark]' (and Java 17)"
        ) from None


def _mapped(engine: str, mapping: SourceMapping) -> Tables:
    if engine == "spark":
        backend = _spark_backend()
    else:
        file = envstr("REVLOOP_DUCKDB")
        backend = connect(f"duckdb:///{file}" if file else "duckdb://")
    try:
        return mapped_tables(backend, mapping)
    except TablesError as exc:
        raise InvalidInputError(f"REVLOOP_SOURCES: {exc}") from None


def _spark_tables() -> Tables:
    prefix = envstr("REVLOOP_SPARK_PREFIX", "")
    backend = _spark_backend()
    sources = stored_tables()
    parquet = envstr("REVLOOP_SPARK_PARQUET")
    if parquet:
        session = backend._session
        for source in sources.values():
            folder = Path(parquet) / source.table
            if not folder.exists():
                raise InvalidInputError(f"REVLOOP_SPARK_PARQUET: no {folder}")
            session.read.parquet(str(folder)).createOrReplaceTempView(prefix + source.table)
        return load_tables(backend, sources, prefix=prefix)
    database = envstr("REVLOOP_SPARK_DATABASE") or None
    return load_tables(backend, sources, prefix=prefix, database=database)


@contextmanager
def open_tables(engine: str | None = None) -> Iterator[Tables]:
    """The revloop tables on ``engine`` (module docstring), for the block."""
    chosen = resolve_engine(engine)
    mapping = source_mapping() if chosen in ("spark", "duckdb") else None
    if mapping is not None:
        yield _mapped(chosen, mapping)
        return
    if chosen == "spark":
        yield _spark_tables()
        return
    tables = database_tables()
    if chosen == "duckdb":
        copy = materialize(tables)
        try:
            yield copy
        finally:
            copy.backend.disconnect()
        return
    yield tables
