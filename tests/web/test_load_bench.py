"""The load test of benchmarks/bench_load.py, bounded: a few users for a few seconds.

It runs the real thing (a seeded demo, `revloop serve` under gunicorn, reps logged in
with sessions reading their inboxes and posting a note from a row, a client sending
event batches with a token) and fails on any error answer; on the PostgreSQL run of the
suite it does so on a fresh database of that server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_load.py"


@pytest.fixture
def database_url() -> Iterator[str]:
    """'' for the embedded SQLite, else a new database on the suite's PostgreSQL server."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield ""
        return
    import psycopg

    name = f"revloop_load_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(server)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_a_short_load_run_answers_every_request(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, "REVLOOP_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, str(BENCH), "--users", "4", "--ingest-users", "1"]
    command += ["--seconds", "3", "--warmup", "1", "--runs", "1", "--leads", "100"]
    command += ["--workers", "2", "--fail-on-error"]
    if database_url:
        command += ["--database-url", database_url]
    done = subprocess.run(  # noqa: S603 - our own benchmark
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    table = done.stdout
    # Every kind of request was made and answered.
    for operation in ("inbox: GET /inbox/", "ingest: POST /api/v1/events", "login"):
        assert operation in table, table
    assert "0 errors there" in table, table
    assert "server peak memory" in table, table
