"""Loading into empty tables with their secondary indexes built once, after the rows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import polars as pl
import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from revloop.activity.models import Touch
from revloop.core.bulk import insert_frame
from revloop.core.loading import indexes_deferred, refresh_planner_statistics, written_once

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = Touch._meta.db_table


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {name for name, spec in found.items() if spec["index"] and not spec["unique"]}


def _touches(*event_ids: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_id": list(event_ids),
            "occurred_at": [datetime(2026, 3, 1, 9, i, tzinfo=UTC) for i in range(len(event_ids))],
            "type": ["page_view"] * len(event_ids),
            "anonymous_id": [f"cookie-{e}" for e in event_ids],
        }
    )


def test_the_indexes_are_gone_during_the_load_and_back_after_it() -> None:
    before = _index_names()
    assert {"touch_time", "touch_person_time", "touch_anonymous"} <= before
    with transaction.atomic(), indexes_deferred([Touch]) as dropped:
        # PostgreSQL keeps them (see indexes_deferred).
        kept = before if connection.vendor == "postgresql" else set()
        assert {i.name for i in dropped} == before - kept
        assert _index_names() == kept
        insert_frame(Touch, _touches("a", "b"))
    assert _index_names() == before
    assert Touch.objects.filter(anonymous_id="cookie-b").count() == 1


def test_a_failed_load_rolls_back_with_its_indexes() -> None:
    before = _index_names()

    def load() -> None:
        with transaction.atomic(), indexes_deferred([Touch]):
            insert_frame(Touch, _touches("a"))
            # A unique column keeps its index: the duplicate is refused as it arrives.
            insert_frame(Touch, _touches("a"))

    # The bulk path talks to the driver itself, so the driver's own error comes through.
    with pytest.raises((IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)):
        load()
    assert _index_names() == before
    assert not Touch.objects.exists()


def test_it_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside transaction"):
        indexes_deferred([Touch]).__enter__()
    assert {"touch_time", "touch_anonymous"} <= _index_names()


def test_a_file_database_is_filled_under_a_rollback_journal_then_back_in_wal() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode" if connection.vendor == "sqlite" else "SELECT 'n/a'")
        (mode,) = cursor.fetchone()
    with written_once(), transaction.atomic():
        insert_frame(Touch, _touches("a"))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                inside = cursor.fetchone()[0]
            # An in-memory test database has no file to journal: its mode stays.
            assert inside == ("memory" if mode == "memory" else "delete")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode" if connection.vendor == "sqlite" else "SELECT 'n/a'")
        assert cursor.fetchone()[0] == mode
    assert Touch.objects.count() == 1


def _analysed(table: str) -> bool:
    """Whether the planner has statistics of ``table`` (with rows in it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return False
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            # -1 until the table is first analysed (PostgreSQL 14 on), and transactional.
            cursor.execute(
                "SELECT count(*) FROM pg_class WHERE relname = %s AND reltuples >= 0", [table]
            )
        return bool(cursor.fetchone()[0])


def _forget_statistics() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is not None:
                cursor.execute("DELETE FROM sqlite_stat1")


#: A table with rows in every test database (a flush leaves it alone).
MIGRATIONS = "django_migrations"


def test_a_bulk_load_leaves_the_planner_statistics_of_its_tables() -> None:
    """Without them SQLite guessed which index to walk, and at a million people walked
    every MQL step of the company to find one person's."""
    _forget_statistics()
    with transaction.atomic(), indexes_deferred([Touch]):
        insert_frame(Touch, _touches("a", "b", "c"))
    assert _analysed(TABLE)
    if connection.vendor == "sqlite":
        assert not _analysed(MIGRATIONS), "only the tables loaded"

    refresh_planner_statistics()
    assert _analysed(MIGRATIONS), "with no table named, every table"


def test_the_worker_refreshes_the_statistics_daily_and_at_its_first_start() -> None:
    from datetime import timedelta

    from revloop.worker.registry import get_job

    job = get_job("worker.analyze")
    assert job is not None
    assert job.every == timedelta(days=1)
    assert job.start_at_once
    _forget_statistics()
    job.function(datetime.now(UTC))
    assert _analysed(MIGRATIONS)


def test_the_daily_refresh_passes_a_locked_table_by_instead_of_waiting() -> None:
    """A long write holding a table must not hold the worker's refresh (nor its queue)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer; its ANALYZE waits like any write")
    from revloop.worker.registry import get_job

    job = get_job("worker.analyze")
    assert job is not None
    assert job.queue == "slow"
    settings = connection.settings_dict
    holder = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=False,
    )
    try:
        holder.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '5s'")
        try:
            job.function(datetime.now(UTC))  # would wait on the lock, and time out
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
    finally:
        holder.rollback()
        holder.close()
