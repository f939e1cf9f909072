"""Real revloop processes against the test's PostgreSQL database, and what they leave.

A fault test seeds the database in-process (a transactional test, so the rows are
committed and other processes see them), copies it as the clean twin
(``CREATE DATABASE … TEMPLATE``), hurts one copy (kill -9 half-way, then run again) and
runs the other once, cleanly; then it compares the two tables by tables.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, connections

BIN = Path(sys.executable).parent

needs_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's scenario: a server database shared by several processes",
    ),
    pytest.mark.django_db(transaction=True),
]


def url(database: str | None = None) -> str:
    settings = connection.settings_dict
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"]
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port or 5432}/{database or settings['NAME']}"


def child_env(home: Path, database: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        REVLOOP_HOME=str(home),
        DATABASE_URL=url(database),
        REVLOOP_HTTPS="false",
        # The batch a test sends is one request, not an abuse.
        REVLOOP_INGEST_BURST="1000000",
        REVLOOP_INGEST_RATE="1000000",
        **extra,
    )
    return env


def revloop(
    env: dict[str, str], *args: str, wait: bool = True, timeout: float = 120
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(BIN / "revloop"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    if wait:
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, (args, out.decode()[-2000:], err.decode()[-2000:])
    return process


def finish(*processes: subprocess.Popen[bytes], timeout: float = 120) -> list[bytes]:
    """Wait for processes started side by side; each must succeed. Their outputs."""
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, (process.args, err.decode()[-2000:])
        outputs.append(out)
    return outputs


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and everything it started (a server's workers)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


@contextmanager
def twin(name: str) -> Iterator[str]:
    """A copy of the test database as it is now; dropped afterwards."""
    source = connection.settings_dict["NAME"]
    copy = f"{source}_{name}"
    connections.close_all()  # a template must have no other session
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        # Idle sessions kept by other threads of this run (the browser tests' live
        # server keeps its connection for a minute) are closed too: they reconnect
        # on their next request (CONN_HEALTH_CHECKS).
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (source,),
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    try:
        yield copy
    finally:
        with psycopg.connect(url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def rows(database: str | None, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url(database)) as db:
        return sorted(db.execute(sql).fetchall(), key=repr)


def same(left: Sequence[tuple[Any, ...]], right: Sequence[tuple[Any, ...]]) -> bool:
    """Row by row equal; floats (time-decayed scores) within a hundredth."""
    if len(left) != len(right):
        return False
    for a, b in zip(left, right, strict=True):
        for x, y in zip(a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, abs_tol=0.01):
                    return False
            elif x != y:
                return False
    return True


def writing_backends(database: str | None = None) -> int:
    """Sessions on the database (other than this one) inside a transaction that wrote."""
    with psycopg.connect(url(database)) as db:
        found = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        ).fetchone()
        return int(found[0]) if found else 0


def kill_while_writing(
    process: subprocess.Popen[bytes], database: str | None = None, timeout: float = 60
) -> None:
    """SIGKILL ``process`` as soon as a session of it holds an open, written transaction."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if writing_backends(database):
            kill(process)
            return
        time.sleep(0.02)
    _, err = process.communicate()
    pytest.fail(f"the kill did not land mid-write (exit {process.returncode}): {err.decode()}")
