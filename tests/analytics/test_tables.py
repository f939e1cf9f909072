"""Loading the tables: exact times on every engine, the fast SQLite reader, URLs."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from revloop.engine.analytics import (
    COLUMNS,
    Source,
    Tables,
    TablesError,
    connect,
    funnel,
    funnel_columns,
    load_tables,
    materialize,
    tables_from_arrow,
)
from revloop.engine.analytics.tables import scratch, to_polars
from tests.analytics.demo_data import (
    SOURCES,
    frames_from_rows,
    postgres_tables,
    sqlite_tables,
    write_sqlite,
)

# Fractions that SQLite's own date functions round into the next second, month, year.
TIMES = [
    datetime(2026, 1, 31, 23, 59, 59, 999_600, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2024, 2, 29, 12, 0, 0, tzinfo=UTC),
    datetime(2026, 7, 4, 8, 30, 15, 500_000, tzinfo=UTC),
    datetime(1999, 3, 1, 0, 0, 0, 1, tzinfo=UTC),
]


def micros(value: datetime) -> int:
    return (value - datetime(1970, 1, 1, tzinfo=UTC)) // datetime.resolution


@pytest.fixture(params=["sqlite", "duckdb", "postgres"])
def timed(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    frames = frames_from_rows(
        {
            "people_person": [
                {"id": i, "created_at": t, "stage_changed_at": t, "stage": "lead"}
                for i, t in enumerate(TIMES, 1)
            ]
        }
    )
    if request.param == "sqlite":
        yield sqlite_tables(frames, tmp_path / "times.sqlite3")
    elif request.param == "duckdb":
        yield tables_from_arrow(frames, SOURCES)
    else:
        with postgres_tables(frames, request.getfixturevalue("pg_url")) as tables:
            yield tables


def test_times_are_exact_microseconds_and_utc_months(timed: Tables) -> None:
    copies = [timed, materialize(timed), materialize(timed, columns=funnel_columns())]
    for tables in copies:
        rows = to_polars(tables.person.select("id", "created_us", "cohort_month"), tables)
        rows = rows.sort("id")
        assert rows["created_us"].to_list() == [micros(t) for t in TIMES]
        assert rows["cohort_month"].to_list() == [t.year * 100 + t.month for t in TIMES]


def test_the_sqlite_reader_round_trips_awkward_values(sqlite_path: Path) -> None:
    connection = sqlite3.connect(sqlite_path)
    connection.execute("CREATE TABLE t (id integer PRIMARY KEY, s text, x real, n bigint)")
    values = [
        (1, 'it\'s, "quoted"\nover two lines', 0.1 + 0.2, None),
        (2, "", 1e-300, -(2**62)),
        (3, None, None, 7),
        (4, "naïve ☃ 'NULL'", 123456789.123456789, 0),
    ]
    connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", values)
    connection.commit()
    backend = connect(f"sqlite:///{sqlite_path}")
    tables = Tables(**dict.fromkeys(COLUMNS), backend=backend, engine="sqlite")
    read = to_polars(backend.table("t"), tables).sort("id")
    assert read.rows() == values


def test_the_sqlite_reader_reads_a_missing_last_value_as_null(sqlite_path: Path) -> None:
    """The last row's last field empty is NULL, not the text "" (an integer column)."""
    connection = sqlite3.connect(sqlite_path)
    connection.execute("CREATE TABLE t (id integer PRIMARY KEY, s text, n bigint)")
    values = [(1, "a", 5), (2, "b", None)]
    connection.executemany("INSERT INTO t VALUES (?, ?, ?)", values)
    connection.commit()
    backend = connect(f"sqlite:///{sqlite_path}")
    tables = Tables(**dict.fromkeys(COLUMNS), backend=backend, engine="sqlite")
    assert to_polars(backend.table("t"), tables).sort("id").rows() == values


def test_missing_columns_and_tables_are_named(sqlite_path: Path) -> None:
    connection = sqlite3.connect(sqlite_path)
    connection.execute("CREATE TABLE people_person (id integer)")
    connection.commit()
    with pytest.raises(TablesError, match=r"people_person.*account_id"):
        load_tables(connect(f"sqlite:///{sqlite_path}"), SOURCES)
    with pytest.raises(TablesError, match="people_person"):
        load_tables(connect(f"sqlite:///{sqlite_path}"), SOURCES, prefix="nothing_")


def test_connect_understands_urls(tmp_path: Path) -> None:
    assert connect("sqlite://").name == "sqlite"
    assert connect(f"sqlite:///{tmp_path / 'a.db'}").name == "sqlite"
    assert (tmp_path / "a.db").exists()
    duck = connect("duckdb://")
    assert duck.name == "duckdb"
    assert connect(duck) is duck
    with pytest.raises(ValueError, match="unsupported analytics URL"):
        connect("mysql://somewhere/db")
    with pytest.raises(TypeError):
        connect(42)


def test_analyses_leave_no_temporary_objects_behind(demo_sqlite: Tables) -> None:
    def temporary() -> int:
        count: int = demo_sqlite.backend.con.execute(
            "SELECT count(*) FROM sqlite_temp_master"
        ).fetchone()[0]
        return count

    before = temporary()
    funnel(demo_sqlite, by="campaign")
    assert temporary() == before
    with scratch():
        from revloop.engine.analytics.funnel import person_progress

        person_progress(demo_sqlite)
        assert temporary() > before
    assert temporary() == before


def test_tables_from_arrow_fills_in_missing_tables() -> None:
    tables = tables_from_arrow({"people_person": frames_from_rows({})["people_person"]}, SOURCES)
    steps = funnel(tables).steps
    assert steps["entered"].to_list() == [0] * 6
    assert steps.schema["conversion_rate"] == pl.Float64


def test_the_apps_say_where_every_table_and_column_is_stored() -> None:
    from revloop.people.models import Person

    assert set(SOURCES) == set(COLUMNS)
    assert SOURCES["person"].table == Person._meta.db_table
    assert SOURCES["person"].column("account_id") == Person._meta.get_field("account").column


def test_tables_stored_under_other_names_read_the_same(tmp_path: Path) -> None:
    """The engine reads whatever table and column names the caller maps it to."""
    rows = {
        "people_person": [
            {"id": i, "account_id": 10 + i, "created_at": t, "stage_changed_at": t, "stage": "mql"}
            for i, t in enumerate(TIMES, 1)
        ]
    }
    frames = frames_from_rows(rows)
    elsewhere = {
        **{name: Source(f"crm_{source.table}") for name, source in SOURCES.items()},
        "person": Source("crm_leads", {"account_id": "company", "created_at": "first_seen"}),
    }
    moved = {f"crm_{name}": frame for name, frame in frames.items()}
    moved["crm_leads"] = moved.pop("crm_people_person").rename(
        {"account_id": "company", "created_at": "first_seen"}
    )
    write_sqlite(moved, tmp_path / "crm.sqlite3")
    on_sqlite = load_tables(connect(f"sqlite:///{tmp_path / 'crm.sqlite3'}"), elsewhere)
    reference = tables_from_arrow(frames, SOURCES)
    expected = to_polars(reference.person, reference)
    for tables in (on_sqlite, materialize(on_sqlite), tables_from_arrow(moved, elsewhere)):
        read = to_polars(tables.person, tables).sort("id")
        assert read.select(expected.columns).rows() == expected.sort("id").rows()
    with pytest.raises(
        TablesError, match=r"'crm_leads': missing column\(s\) account_id, created_at"
    ):
        load_tables(
            connect(f"sqlite:///{tmp_path / 'crm.sqlite3'}"),
            {**elsewhere, "person": Source("crm_leads")},
        )


def test_a_table_without_a_source_is_named() -> None:
    with pytest.raises(TablesError, match=r"no source given for table\(s\) person"):
        tables_from_arrow({}, {name: s for name, s in SOURCES.items() if name != "person"})
