"""Loading millions of rows into empty tables: indexes built once, after the rows.

Each row inserted into an indexed table also goes into every index of it, at a random
place for most of them (a time, a cookie, an e-mail): with ten million touches that
is tens of millions of scattered B-tree writes, most of a large load's time. Building
an index afterwards sorts its keys once instead. :func:`indexes_deferred` drops the
secondary indexes of the given tables for the length of the load and creates them
again, with their stored definitions, when it ends.

Inside one transaction: should the load fail, the rollback brings the dropped
indexes back with everything else (both databases roll DDL back). The indexes that
back a constraint (primary keys, ``unique=True`` columns) stay, so the database still
refuses a duplicate as the rows arrive.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import OperationalError, connection
from django.db.models import Model

#: The page cache while loading on SQLite (KiB): the tables' upper B-tree levels and
#: the pages being filled stay in memory instead of being re-read for each batch.
SQLITE_LOAD_CACHE_KIB = 256 * 1024
#: The memory PostgreSQL may give each index build (a sort of the whole table).
POSTGRES_INDEX_MEMORY = "256MB"
_JOURNAL_MODES = {"wal", "delete", "truncate", "persist", "memory"}


@dataclass(frozen=True)
class StoredIndex:
    table: str
    name: str
    definition: str


def _secondary_indexes(tables: Sequence[str]) -> list[StoredIndex]:
    """The indexes of ``tables`` that no constraint needs, with the SQL that makes each."""
    found: list[StoredIndex] = []
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "sqlite":
                # Indexes that a constraint declares (sqlite_autoindex_…) have no SQL.
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
                    [table],
                )
            else:
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                    "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                    "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass) "
                    "ORDER BY i.indexname",
                    [table, table],
                )
            found.extend(StoredIndex(table, name, sql) for name, sql in cursor.fetchall())
    return found


@contextmanager
def indexes_deferred(models: Sequence[type[Model]]) -> Iterator[list[StoredIndex]]:
    """Load into ``models``' tables with their secondary indexes built at the end.

    Must run inside a transaction (see the module doc); yields the indexes it dropped.
    On SQLite the page cache is enlarged for the load and put back after it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred() must run inside transaction.atomic()")
    tables = [model._meta.db_table for model in models]
    if connection.vendor != "sqlite":
        # PostgreSQL refuses CREATE INDEX on a table with deferred foreign-key checks
        # pending in the transaction, which a load like the demo's always leaves.
        yield []
        refresh_planner_statistics(tables)
        return
    quote = connection.ops.quote_name
    indexes = _secondary_indexes(tables)
    with connection.cursor() as cursor:
        cache_size = None
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
        else:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{POSTGRES_INDEX_MEMORY}'")
        for index in indexes:
            cursor.execute(f"DROP INDEX {quote(index.name)}")
    try:
        yield indexes
        with connection.cursor() as cursor:
            for index in indexes:
                cursor.execute(index.definition)
        refresh_planner_statistics(tables)
    finally:
        if cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


@contextmanager
def written_once() -> Iterator[None]:
    """Fill a new SQLite database in one transaction, each page written once.

    In WAL mode every page of the transaction goes into the WAL file and then again
    into the database when it is checkpointed: gigabytes twice for a large load, and a
    WAL file as large as the database left behind. A rollback journal keeps only the
    pages the database had before the transaction (few, in a new one), so the new pages
    are written once, and a failed load still rolls back. WAL comes back afterwards, for
    the web process to read while the worker writes. Nothing changes on PostgreSQL, or
    when another connection holds the database (the mode cannot change then).
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (before,) = cursor.fetchone()
        try:
            cursor.execute("PRAGMA journal_mode = DELETE")
            (now,) = cursor.fetchone()
        except OperationalError:
            now = None
        if str(now).lower() != "delete":
            before = None
    try:
        yield
    finally:
        if str(before).lower() in _JOURNAL_MODES:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA journal_mode = {before}")


#: Rows SQLite's ANALYZE samples per index: enough to tell a person's handful of rows
#: from a stage's hundreds of thousands, and a fraction of a second at a million people.
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_planner_statistics(tables: Sequence[str] = (), *, skip_locked: bool = False) -> None:
    """ANALYZE ``tables`` (every table when empty), so the planner knows their sizes.

    Without statistics SQLite guesses, and on a million people it guessed wrong: asked
    for one person's step to MQL it walked the index of every MQL step of the company
    (0.6 s) instead of that person's few. PostgreSQL's autovacuum analyses on its own,
    in its own time; after a bulk load this is that, at once.

    ``skip_locked`` (PostgreSQL): a table someone holds a lock on is left for the next
    time rather than waited for, so a background refresh never queues behind a long
    write (or holds up the worker's queue while the database goes away under it).
    """
    quote = connection.ops.quote_name
    sqlite = connection.vendor == "sqlite"
    analyze = "ANALYZE" if sqlite or not skip_locked else "ANALYZE (SKIP_LOCKED)"
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        if not tables:
            cursor.execute(analyze)
        for table in tables:
            cursor.execute(f"{analyze} {quote(table)}")
