"""The tables the analytics read, on whichever engine holds them.

Every analysis takes one :class:`Tables`: ibis table expressions for the tables of
:data:`COLUMNS` (people, accounts, touches, …), *normalised* so that the same
expressions mean the same thing on every engine:

- every time becomes an integer ``<name>_us``: microseconds since 1970-01-01 UTC.
  Engines disagree on almost everything about time (SQLite keeps Django's datetimes
  as text, Spark cannot extract microseconds, sessions have time zones), but they all
  add and compare 64-bit integers the same way, exactly;
- a person's ``cohort_month`` (``year * 100 + month`` of ``created_at``, UTC) is
  computed once, here, where the engine still sees a timestamp;
- money becomes float64, identifiers int64, text strings.

Only the columns the analytics use are kept (``COLUMNS``); a missing one is an error
naming the table and the column. Where the tables are stored is the caller's to say:
a :data:`Sources` mapping gives each one's table name and the stored names of columns
named otherwise (the Django apps pass theirs, from their models).

Engines: :func:`connect` turns ``sqlite:///file``, ``postgresql://…``, ``duckdb://…``,
``spark`` (or a Spark master URL, or a ``SparkSession``) into an ibis backend and
:func:`load_tables` reads the tables from it. :func:`materialize` copies the
normalised tables into an in-process DuckDB in one read each, for engines whose
window functions are slow (SQLite): every analysis then runs unchanged on the copy.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

import polars as pl

from revloop.engine.analytics._ibis import (
    ArrowTable,
    Backend,
    Expr,
    Table,
    epoch_us,
    ibis,
    pa,
    pacsv,
    unix_micros,
)

Kind = Literal["int", "float", "str", "time", "date"]
_P = ParamSpec("_P")
_R = TypeVar("_R")

#: Field of :class:`Tables` → {column: kind}: every table and column the analytics read.
COLUMNS: Mapping[str, Mapping[str, Kind]] = {
    "person": {
        "id": "int",
        "account_id": "int",
        "stage": "str",
        "stage_changed_at": "time",
        "source": "str",
        "persona": "str",
        "owner_id": "int",
        "fit_score": "float",
        "created_at": "time",
    },
    "account": {
        "id": "int",
        "name": "str",
        "industry": "str",
        "employee_count": "int",
        "country": "str",
        "region": "str",
        "tier": "str",
    },
    "touch": {
        "id": "int",
        "person_id": "int",
        "occurred_at": "time",
        "type": "str",
        "channel": "str",
        "campaign_id": "int",
        "content_id": "int",
    },
    "campaign": {"id": "int", "name": "str", "channel": "str"},
    "content": {"id": "int", "title": "str", "kind": "str", "campaign_id": "int"},
    "transition": {
        "id": "int",
        "person_id": "int",
        "from_stage": "str",
        "to_stage": "str",
        "at": "time",
        "by_user_id": "int",
        "by_rule": "str",
        "reason_code": "str",
    },
    "opportunity": {
        "id": "int",
        "account_id": "int",
        "primary_contact_id": "int",
        "amount": "float",
        "stage": "str",
        "close_date": "date",
        "owner_id": "int",
        "source": "str",
        "created_at": "time",
        "closed_at": "time",
    },
    "opportunity_contact": {
        "id": "int",
        "opportunity_id": "int",
        "person_id": "int",
        "role": "str",
    },
    "user": {"id": "int", "username": "str"},
}


@dataclass(frozen=True)
class Source:
    """Where one table of :data:`COLUMNS` is stored: its name, and the stored name of each
    column whose name differs from the one in :data:`COLUMNS`."""

    table: str
    columns: Mapping[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


#: Field of :class:`Tables` → where that table is stored.
Sources = Mapping[str, Source]


def own_sources() -> dict[str, Source]:
    """The engine's own layout, used for its copies: each table named after its field
    (``person``, ``touch``, …), each column as in :data:`COLUMNS`."""
    return {name: Source(name) for name in COLUMNS}


def _checked(sources: Sources) -> Sources:
    missing = [name for name in COLUMNS if name not in sources]
    if missing:
        raise TablesError(f"no source given for table(s) {', '.join(missing)}")
    return sources


US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
_IBIS_TYPE = {"int": "int64", "float": "float64", "str": "string"}


class TablesError(ValueError):
    """A table or column the analytics need is missing; the message names it."""


@dataclass(frozen=True)
class Tables:
    """The normalised tables (module docstring), all on one ibis backend."""

    person: Table
    account: Table
    touch: Table
    campaign: Table
    content: Table
    transition: Table
    opportunity: Table
    opportunity_contact: Table
    user: Table
    #: The ibis backend the tables live on.
    backend: Backend
    #: Its ibis name: "sqlite", "postgres", "pyspark", "duckdb", …
    engine: str
    #: Where the raw tables are: ``load_tables``'s ``sources``, ``prefix`` and ``database``.
    prefix: str = ""
    database: Any = None
    sources: Sources = field(default_factory=own_sources)

    def items(self) -> Iterator[tuple[str, Table]]:
        for name in COLUMNS:
            yield name, getattr(self, name)


def normalised_name(column: str, kind: Kind) -> str:
    """A column's name once normalised: ``created_at`` → ``created_us``, ``at`` →
    ``at_us``, ``close_date`` → ``close_date_us``; other columns keep their name."""
    if kind == "time":
        return column.removesuffix("_at") + "_us"
    if kind == "date":
        return column + "_us"
    return column


def engine_name(backend: Backend) -> str:
    return str(backend.name)


def epoch_microseconds(column: Expr, engine: str) -> Expr:
    """Microseconds since the epoch (UTC) of a timestamp or date column, exactly."""
    if engine == "sqlite":
        # Django keeps datetimes on SQLite as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]".
        # SQLite's date functions read fractions in milliseconds, rounded (".9996"
        # becomes the next second), so they get the whole seconds only, and the
        # fraction is read off the text, padded ("…:05.5" is 500000 µs). Casting to a
        # timestamp in ibis would round to milliseconds too.
        text = column.cast("string")
        whole = text.substr(0, 19)
        if _SQLITE_HAS_UNIXEPOCH:
            # unixepoch() (SQLite 3.38) is three times faster than strftime('%s').
            seconds = _sqlite_unixepoch(whole)
        else:
            seconds = whole.cast("timestamp").epoch_seconds()
        fraction = (text + "000000").substr(20, 6).cast("int64")
        return seconds.cast("int64") * US_PER_SECOND + fraction
    stamp = column if column.type().is_timestamp() else column.cast("timestamp")
    if engine == "postgres":
        # EXTRACT(epoch …) is an exact numeric there, microseconds in its fraction.
        return (stamp.epoch_seconds() * US_PER_SECOND).cast("int64")
    if engine == "pyspark":
        return unix_micros(stamp)
    if engine == "duckdb":
        return epoch_us(stamp)
    return stamp.delta(ibis.timestamp("1970-01-01 00:00:00"), unit="microsecond").cast("int64")


_SQLITE_HAS_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)
_sqlite_unixepoch: Any = ibis.udf.scalar.builtin(
    name="unixepoch", signature=(("string",), "int64")
)(lambda text: None)
_duckdb_at_zone: Any = ibis.udf.scalar.builtin(
    name="timezone", signature=(("string", "timestamp"), "timestamp")
)(lambda zone, ts: None)
_spark_to_utc: Any = ibis.udf.scalar.builtin(
    name="to_utc_timestamp", signature=(("timestamp", "string"), "timestamp")
)(lambda ts, zone: None)


def utc_month(column: Expr, backend: Backend) -> Expr:
    """``year * 100 + month`` of a timestamp column in UTC, whatever the session's zone."""
    engine = engine_name(backend)
    dtype = column.type()
    if engine == "sqlite":
        # Read off Django's UTC text: SQLite's date functions would round
        # "…-31 23:59:59.9996" into the next month.
        text = column.cast("string")
        return text.substr(0, 4).cast("int64") * 100 + text.substr(5, 2).cast("int64")
    if engine == "duckdb" and dtype.is_timestamp() and dtype.timezone is not None:
        column = _duckdb_at_zone(ibis.literal("UTC"), column)
    elif engine == "pyspark":
        # Spark shows instants in the session's zone; shifting them by that zone
        # first makes the calendar fields those of UTC.
        zone = backend._session.conf.get("spark.sql.session.timeZone")
        column = _spark_to_utc(column, ibis.literal(zone))
    # ibis sets PostgreSQL sessions to UTC.
    return (column.year() * 100 + column.month()).cast("int64")


def normalise(raw: Table, name: str, source: Source, backend: Backend) -> Table:
    """``raw`` (a table stored as ``source`` says) as the analytics read it (module docstring)."""
    columns = COLUMNS[name]
    missing = [source.column(c) for c in columns if source.column(c) not in set(raw.columns)]
    if missing:
        raise TablesError(f"table {source.table!r}: missing column(s) {', '.join(missing)}")
    engine = engine_name(backend)
    selected: dict[str, Expr] = {}
    for column, kind in columns.items():
        value = raw[source.column(column)]
        if kind in ("time", "date"):
            selected[normalised_name(column, kind)] = epoch_microseconds(value, engine)
        elif value.type().copy(nullable=True) == ibis.dtype(_IBIS_TYPE[kind]):
            # Left as it is: a CAST only to drop NOT NULL would hide the column from
            # SQLite's indexes (a join on CAST(id) scans). Nullability is dropped where
            # rows leave the engine (``to_arrow``).
            selected[column] = value
        else:
            selected[column] = value.cast(_IBIS_TYPE[kind])
    if name == "person":
        selected["cohort_month"] = utc_month(raw[source.column("created_at")], backend)
    return raw.select(**selected)


_views = itertools.count()
_scratch: ContextVar[list[tuple[Backend, str, str]] | None] = ContextVar(
    "revloop_analytics_scratch", default=None
)


def checkpoint(
    expr: Table, tables_or_backend: Tables | Backend, *, index: Sequence[str] = ()
) -> Table:
    """``expr`` as a table to build on. A no-op except on SQLite, where it is a
    temporary view, or with ``index`` a temporary table indexed on those columns.

    SQLite's parser has a fixed stack and ibis nests a subquery per step, so a long
    chain of steps stops parsing ("parser stack overflow"); a view's name is all the
    next step's SQL contains. And SQLite's planner joins subqueries by scanning one
    for every row of the other unless it can index them: a result that is joined
    further is stored, with an index, so joins stay linear. Temporary objects live in
    the connection, never in the database file; :func:`scratch` drops them.
    """
    backend = (
        tables_or_backend.backend if isinstance(tables_or_backend, Tables) else tables_or_backend
    )
    if engine_name(backend) != "sqlite":
        return expr
    name = f"revloop_analytics_{next(_views)}"
    sql = ibis.to_sql(expr, dialect="sqlite")
    kind = "TABLE" if index else "VIEW"
    backend.con.execute(f'CREATE TEMP {kind} "{name}" AS {sql}')
    for number, column in enumerate(index):
        backend.con.execute(f'CREATE INDEX temp."{name}_{number}" ON "{name}" ("{column}")')
    created = _scratch.get()
    if created is not None:
        created.append((backend, kind, name))
    # SQLite does not type a view's computed columns; the expression's schema does.
    return ibis.table(expr.schema(), name=name)


def in_scratch(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``function`` inside :func:`scratch`."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with scratch():
            return function(*args, **kwargs)

    return wrapper


@contextmanager
def scratch() -> Iterator[None]:
    """Drop the temporary tables and views that checkpoints create inside the block
    (the outermost block, when nested)."""
    if _scratch.get() is not None:
        yield
        return
    token = _scratch.set([])
    try:
        yield
    finally:
        created = _scratch.get() or []
        _scratch.reset(token)
        for backend, kind, name in reversed(created):
            backend.con.execute(f'DROP {kind} IF EXISTS temp."{name}"')


def load_tables(
    backend: Backend, sources: Sources, prefix: str = "", database: Any = None
) -> Tables:
    """The tables on ``backend``, stored where ``sources`` says, normalised (module
    docstring).

    ``prefix`` goes before every table name (``f"{prefix}{source.table}"``);
    ``database`` is passed on to the backend's ``table()`` (a PostgreSQL schema, say).
    """
    found: dict[str, Table] = {}
    for name, source in _checked(sources).items():
        if name not in COLUMNS:
            continue
        stored = prefix + source.table
        try:
            raw = (
                backend.table(stored)
                if database is None
                else backend.table(stored, database=database)
            )
        except Exception as error:
            raise TablesError(f"table {stored!r}: not found ({error})") from error
        found[name] = checkpoint(normalise(raw, name, source, backend), backend)
    return Tables(
        **found,
        backend=backend,
        engine=engine_name(backend),
        prefix=prefix,
        database=database,
        sources=sources,
    )


# Reading from SQLite -----------------------------------------------------------------

_CHUNK_ROWS = 250_000
_ARROW_TYPE = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    # Django's "YYYY-MM-DD HH:MM:SS[.ffffff]" parses exactly as ISO 8601; the text is
    # UTC without saying so, and DuckDB reads a zone-less timestamp as such.
    "time": pa.timestamp("us"),
    "date": pa.date32(),
}
_CSV_PARSE = pacsv.ParseOptions(
    quote_char="'", double_quote=True, escape_char=False, newlines_in_values=True
)


def _kind_of(dtype: Any) -> str:
    if dtype.is_string():
        return "str"
    if dtype.is_floating() or dtype.is_decimal():
        return "float"
    if dtype.is_integer() or dtype.is_boolean():
        return "int"
    raise TypeError(f"cannot read a {dtype} column through CSV; normalise it first")


def _csv_field(column: str, kind: str) -> str:
    """SQLite text of one CSV value: empty for NULL, strings quoted by quote()."""
    ref = f'q."{column}"'
    if kind == "str":
        return f"CASE WHEN {ref} IS NULL THEN '' ELSE quote({ref}) END"
    if kind == "float":
        # %!.17g carries every digit of a double, so the value reads back exactly.
        return f"CASE WHEN {ref} IS NULL THEN '' ELSE printf('%!.17g', {ref}) END"
    return f"ifnull({ref}, '')"


def _read_sqlite(
    backend: Backend, expr: Table, kinds: Mapping[str, str] | None = None
) -> ArrowTable:
    """Run ``expr`` on SQLite and return Arrow, fast.

    Fetching rows through Python's sqlite3 costs about 0.3 µs per value, most of the
    time of a large read. Instead SQLite renders each chunk of rows as one CSV text
    (``group_concat``, in C) and Arrow's CSV reader parses it, also in C. The query is
    the one ibis compiled; only the way its rows travel changes.
    """
    if kinds is None:
        schema = expr.schema()
        kinds = {c: _kind_of(schema[c]) for c in schema.names}
    # Only ibis's SQL and the expression's column names go into the text; values are
    # bound as parameters.
    inner = f"({ibis.to_sql(expr, dialect='sqlite')}) AS q"
    row = " || ',' || ".join(_csv_field(c, k) for c, k in kinds.items())
    sql = f"SELECT group_concat({row}, char(10)) FROM {inner}"  # noqa: S608
    arrow_schema = pa.schema([pa.field(c, _ARROW_TYPE[k]) for c, k in kinds.items()])
    read = pacsv.ReadOptions(column_names=list(kinds), block_size=1 << 24)
    convert = pacsv.ConvertOptions(
        column_types=arrow_schema,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        null_values=[""],
    )

    def parse(text: str | None) -> ArrowTable | None:
        if not text:
            return None
        # The closing newline matters: without it Arrow (26) reads an empty last field
        # of the last row as the text "" rather than NULL, and an integer column fails.
        return pacsv.read_csv(
            io.BytesIO((text + "\n").encode()),
            read_options=read,
            parse_options=_CSV_PARSE,
            convert_options=convert,
        )

    if "id" not in kinds:
        chunks = [parse(backend.con.execute(sql).fetchone()[0])]
    else:
        # Chunks keep each text (and Python's copy of it) to a few tens of MB. The
        # same connection reads them all: the query may name its temporary views.
        bounds = f"SELECT min(q.id), max(q.id) FROM {inner}"  # noqa: S608
        low, high = backend.con.execute(bounds).fetchone()
        chunked = f"{sql} WHERE q.id > ? AND q.id <= ?"
        chunks = (
            []
            if low is None
            else [
                parse(backend.con.execute(chunked, (after, after + _CHUNK_ROWS)).fetchone()[0])
                for after in range(low - 1, high, _CHUNK_ROWS)
            ]
        )
    found = [chunk for chunk in chunks if chunk is not None]
    return pa.concat_tables(found) if found else arrow_schema.empty_table()


def nullable(table: Table) -> Table:
    """``table`` with every column typed nullable (set operations need equal types)."""
    schema = table.schema()
    if all(schema[c].nullable for c in schema.names):
        return table
    return table.select(**{c: table[c].cast(schema[c].copy(nullable=True)) for c in schema.names})


def union_all(first: Table, *rest: Table) -> Table:
    """The rows of all tables (same columns, in the same order), duplicates kept."""
    return nullable(first).union(*(nullable(t) for t in rest))


def join_on(left: Table, right: Table, key: str, how: str = "inner") -> Table:
    """``left`` joined to ``right`` on their column ``key``; the key once, left's."""
    joined = left.join(right, left[key] == right[key], how=how)
    return joined.select(
        *(left[c] for c in left.columns), *(right[c] for c in right.columns if c != key)
    )


def to_arrow(expr: Table, tables: Tables) -> ArrowTable:
    """Execute ``expr`` (built from ``tables``) and return its rows as Arrow."""
    if tables.engine == "sqlite":
        return _read_sqlite(tables.backend, expr)
    # ibis checks the rows against the expression's types, and types a lag or an outer
    # join of a NOT NULL column as NOT NULL too.
    result: ArrowTable = nullable(expr).to_pyarrow()
    return result


def to_polars(expr: Table, tables: Tables) -> pl.DataFrame:
    """Execute ``expr`` (built from ``tables``) and return a polars frame."""
    frame = pl.from_arrow(to_arrow(expr, tables))
    assert isinstance(frame, pl.DataFrame)
    return frame


# DuckDB copies -------------------------------------------------------------------------


def _register(backend: Backend, name: str, data: ArrowTable) -> Table:
    """``data`` as a DuckDB table called ``name`` (replacing one of that name).

    Stored, not just registered: DuckDB estimates a registered Arrow table at one row
    and then joins it by nested loops, which on a million touches takes minutes. (ibis
    12's own create_table from Arrow fails with duckdb 1.5, hence the SQL.)
    """
    staging = f"{name}_arrow"
    backend.con.register(staging, data)
    try:
        backend.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "{staging}"')  # noqa: S608 - our own table names
    finally:
        backend.con.unregister(staging)
    return backend.table(name)


def materialize(
    tables: Tables,
    backend: Backend | None = None,
    *,
    columns: Mapping[str, Sequence[str]] | None = None,
    prefix: str | None = None,
) -> Tables:
    """Copy the tables into DuckDB (in-process unless ``backend`` is given).

    One read per table; the returned ``Tables`` run every analysis on DuckDB's
    vectorised, parallel window functions. ``columns`` (field → normalised column
    names, e.g. from ``attribution_columns``) copies only those, for one analysis over
    large tables; a table it leaves out is copied empty. Tables are named
    ``<prefix><table>``, with a fresh prefix unless one is given.

    From SQLite the raw columns travel, times as Django's text, and DuckDB normalises
    them: SQLite's date arithmetic costs more than Arrow's parsing of that text.
    Other engines send their normalised columns.
    """
    target = backend if backend is not None else connect("duckdb://")
    # A fresh prefix per copy: a second copy into the same DuckDB must not replace the
    # tables of the first.
    prefix = prefix if prefix is not None else f"revloop_copy_{next(_views)}_"
    if tables.engine == "sqlite":
        for name, kinds in COLUMNS.items():
            wanted = None if columns is None else tuple(columns.get(name, ()))
            raw_kinds = _raw_columns(kinds, wanted)
            stored = tables.sources[name]
            raw = tables.backend.table(
                tables.prefix + stored.table,
                **({} if tables.database is None else {"database": tables.database}),
            )
            data = (
                _read_sqlite(
                    tables.backend,
                    raw.select(**{c: raw[stored.column(c)] for c in raw_kinds}),
                    raw_kinds,
                )
                if raw_kinds
                else _empty({})
            )
            for column, kind in kinds.items():
                if column not in raw_kinds:
                    data = data.append_column(
                        column, pa.nulls(data.num_rows, type=_ARROW_TYPE[kind])
                    )
            _register(target, prefix + name, data)
        return load_tables(target, own_sources(), prefix=prefix)
    copied: dict[str, Table] = {}
    for name, expr in tables.items():
        wanted_expr = expr
        if columns is not None:
            chosen = tuple(columns.get(name, ()))
            wanted_expr = wanted_expr.select(*chosen) if chosen else expr.limit(0)
        copied[name] = _register(target, prefix + name, to_arrow(wanted_expr, tables))
    return Tables(**copied, backend=target, engine=engine_name(target))


def open_materialized(backend: Backend, prefix: str = "") -> Tables:
    """The tables that :func:`materialize` left in ``backend`` under ``prefix``.

    A copy from SQLite holds the raw columns (normalised on reading); a copy from any
    other engine already holds the normalised ones.
    """
    if "cohort_month" not in backend.table(prefix + "person").columns:
        return load_tables(backend, own_sources(), prefix=prefix)
    copied = {name: backend.table(prefix + name) for name in COLUMNS}
    return Tables(**copied, backend=backend, engine=engine_name(backend))


def _raw_columns(kinds: Mapping[str, Kind], wanted: Sequence[str] | None) -> dict[str, Kind]:
    """The raw columns behind some normalised ones (all of them for ``None``)."""
    if wanted is None:
        return dict(kinds)
    raw = {c: k for c, k in kinds.items() if normalised_name(c, k) in wanted}
    if "cohort_month" in wanted:
        raw["created_at"] = "time"
    return raw


def tables_from_arrow(
    frames: Mapping[str, ArrowTable | pl.DataFrame],
    sources: Sources | None = None,
    backend: Backend | None = None,
) -> Tables:
    """``Tables`` over in-memory frames, registered in DuckDB; a table not given is empty.

    The frames are named, and their columns too, as ``sources`` says the tables are
    stored (the engine's own layout, :func:`own_sources`, when not given).
    """
    target = backend if backend is not None else connect("duckdb://")
    prefix = f"revloop_frames_{next(_views)}_"
    layout = _checked(sources if sources is not None else own_sources())
    for name, columns in COLUMNS.items():
        stored = layout[name]
        frame = frames.get(stored.table)
        if frame is None:
            data = _empty({stored.column(c): k for c, k in columns.items()})
        elif isinstance(frame, pl.DataFrame):
            data = frame.to_arrow()
        else:
            data = frame
        _register(target, prefix + stored.table, data)
    return load_tables(target, layout, prefix=prefix)


def _empty(columns: Mapping[str, Kind]) -> ArrowTable:
    return pa.table({c: pa.array([], type=_ARROW_TYPE[k]) for c, k in columns.items()})


# Connecting ----------------------------------------------------------------------------

_SPARK_MASTER = re.compile(r"^(spark|local|yarn|k8s|mesos)(://|\[|$)")


def connect(target: Any) -> Backend:
    """An ibis backend for a URL, a Spark master, a ``SparkSession`` or a backend.

    - ``sqlite:///relative.db``, ``sqlite:////absolute.db``, ``sqlite://`` (memory);
    - ``postgres://`` or ``postgresql://user:password@host:port/database``;
    - ``duckdb://`` (memory) or ``duckdb:///file.duckdb``;
    - ``spark``: the active ``SparkSession``, or a new local one; ``local[2]``,
      ``spark://host:7077``, ``yarn`` …: a session on that master; or a
      ``SparkSession`` itself.

    Spark sessions created here use UTC as their time zone, so that times without a
    zone (TIMESTAMP_NTZ) read as UTC, which is how revloop stores them.
    """
    if isinstance(target, str):
        return _connect_url(target)
    if type(target).__name__ == "SparkSession":
        return ibis.pyspark.connect(target)
    if hasattr(target, "table") and hasattr(target, "name"):
        return target
    raise TypeError(f"cannot connect to {target!r}: expected a URL, a SparkSession or a backend")


def _connect_url(url: str) -> Backend:
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:").removeprefix("//").removeprefix("/")
        return ibis.sqlite.connect(path if path not in ("", ":memory:") else None)
    if scheme in ("postgres", "postgresql"):
        parts = urlsplit(url)
        return ibis.postgres.connect(
            host=parts.hostname or "localhost",
            port=parts.port or 5432,
            user=unquote(parts.username or "") or None,
            password=unquote(parts.password or "") or None,
            database=unquote(parts.path.lstrip("/")) or None,
        )
    if scheme == "duckdb":
        path = url.removeprefix("duckdb:").removeprefix("//").removeprefix("/")
        backend = ibis.duckdb.connect(path or ":memory:")
        backend.raw_sql("SET TimeZone = 'UTC'")
        return backend
    if url == "spark" or _SPARK_MASTER.match(url):
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession() if url == "spark" else None
        if session is None:
            builder: Any = SparkSession.builder
            if url != "spark":
                builder = builder.master(url)
            session = builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
        return ibis.pyspark.connect(session)
    raise ValueError(
        f"unsupported analytics URL {url!r}: use sqlite://, postgresql://, duckdb:// or spark"
    )
