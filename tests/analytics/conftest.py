"""One demo company on every engine, built once per test session.

SQLite and DuckDB always run. PostgreSQL runs when ``REVLOOP_ANALYTICS_PG_URL`` or a
``postgres://`` ``DATABASE_URL`` names a reachable server; the data goes into a
schema of its own, dropped at the end, never into Django's test database. Spark
runs when pyspark imports: one local session for the whole test session.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revloop.engine.analytics import Tables, tables_from_arrow
from tests.analytics.demo_data import (
    SOURCES,
    Frames,
    demo_frames,
    postgres_tables,
    postgres_url,
    sqlite_tables,
)

#: Big enough for every funnel stage, model and label to appear; small enough for
#: SQLite to answer in well under a second per query.
DEMO_LEADS = 1500


# Deprecations inside ibis 12 (against duckdb 1.5 and pandas 3) and pyspark 4.0: not
# ours to fix, and noise in every run.
_THEIR_DEPRECATIONS = (
    "ignore:fetch_arrow_table:DeprecationWarning",
    "ignore:The 'future.infer_string' option is deprecated",
    "ignore:The copy keyword is deprecated",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            for warning in _THEIR_DEPRECATIONS:
                item.add_marker(pytest.mark.filterwarnings(warning))


@pytest.fixture(scope="session")
def demo() -> Frames:
    return demo_frames(DEMO_LEADS, seed=7)


@pytest.fixture(scope="session")
def pg_url() -> str:
    raw = os.environ.get("REVLOOP_ANALYTICS_PG_URL") or os.environ.get("DATABASE_URL")
    url = postgres_url(raw)
    if url is None:
        pytest.skip("no PostgreSQL: set REVLOOP_ANALYTICS_PG_URL (or a postgres DATABASE_URL)")
    return url


@pytest.fixture(scope="session")
def demo_sqlite(demo: Frames, tmp_path_factory: pytest.TempPathFactory) -> Tables:
    return sqlite_tables(demo, tmp_path_factory.mktemp("analytics") / "demo.sqlite3")


@pytest.fixture(scope="session")
def demo_duckdb(demo: Frames) -> Tables:
    return tables_from_arrow(demo, SOURCES)


@pytest.fixture(scope="session")
def demo_postgres(demo: Frames, pg_url: str) -> Iterator[Tables]:
    with postgres_tables(demo, pg_url) as tables:
        yield tables


@pytest.fixture(params=["sqlite", "duckdb", "postgres"])
def demo_tables(request: pytest.FixtureRequest) -> Tables:
    """The demo company on each engine in turn."""
    tables: Tables = request.getfixturevalue(f"demo_{request.param}")
    return tables


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("revloop-analytics-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    # py4j logs its connections closing at interpreter exit, when pytest has already
    # closed the streams its log handlers write to.
    logging.getLogger("py4j").setLevel(logging.WARNING)


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "revloop.sqlite3"
