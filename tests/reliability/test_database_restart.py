"""The database restarting under a running command, a worker and the web, on PostgreSQL.

A throw-away server (``.ci/postgres.sh``, never the shared one) gets a copy of the test
database. While it is stopped: a command that was writing exits with one line and the
"database unavailable" exit code, a new command does the same, the API and the pages
answer 503 (the API as ``{code, message}``) with Retry-After, and the worker logs one
line. Once it is back, the worker carries on by itself (a new heartbeat) and the web
answers again, without being restarted.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client

from revloop.core.errors import DatabaseUnavailableError
from revloop.engine.vocabulary import Role
from revloop.users.models import ApiToken, User

from . import pg
from .test_kill_rescore_and_batch import _ready, _seed_people, _start_server

pytestmark = pg.needs_postgres

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "postgres.sh"


def _bindir() -> str:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)  # noqa: S603
        if Path(out.stdout.strip(), "pg_dump").exists():
            return out.stdout.strip()
    return str(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])


class Cluster:
    """A PostgreSQL server of the test's own, in a temporary directory."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="revloop-faults-pg.")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = subprocess.run(  # noqa: S603 - the repository's own script
            ["/bin/bash", str(SCRIPT), "start", self.dir, str(self.port)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def stop(self) -> None:
        subprocess.run(["/bin/bash", str(SCRIPT), "stop", self.dir], check=True)  # noqa: S603

    def resume(self) -> None:
        subprocess.run(["/bin/bash", str(SCRIPT), "resume", self.dir, str(self.port)], check=True)  # noqa: S603

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    started = Cluster()
    try:
        yield started
    finally:
        started.remove()


def _copy_test_database(into: Cluster) -> None:
    connections.close_all()
    with psycopg.connect(into.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE revloop")
    dump = subprocess.Popen(  # noqa: S603
        [f"{_bindir()}/pg_dump", "--no-owner", "--dbname", pg.url()], stdout=subprocess.PIPE
    )
    subprocess.run(  # noqa: S603
        [f"{_bindir()}/psql", "--quiet", "--dbname", into.url, "-v", "ON_ERROR_STOP=1"],
        stdin=dump.stdout,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    assert dump.wait() == 0


def _get(url: str, token: str = "", cookie: str = "") -> tuple[int, Any, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.read(), response.headers.get("Retry-After", "")
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read(), answer.headers.get("Retry-After", "")


def _beats(cluster: Cluster) -> int:
    with psycopg.connect(cluster.url) as db:
        row = db.execute(
            "SELECT count(*) FROM worker_workerheartbeat WHERE beat_at > now() - interval '2 s'"
        ).fetchone()
        return int(row[0]) if row else 0


def _until(check: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except psycopg.OperationalError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def test_a_database_restart_gives_clear_answers_and_everything_recovers(
    cluster: Cluster, tmp_path: Path
) -> None:
    _seed_people(2500)
    admin = User.objects.create_user("ada")
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMIN.value)[0])
    _, token = ApiToken.issue(admin, "faults")
    signed_in = Client()
    signed_in.force_login(admin)
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={signed_in.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    _copy_test_database(cluster)
    env = {**pg.child_env(tmp_path), "DATABASE_URL": cluster.url}

    worker_log = tmp_path / "worker.log"
    with worker_log.open("wb") as log:
        worker = subprocess.Popen(  # noqa: S603 - our own console script
            [str(pg.BIN / "revloop"), "worker", "--interval", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    server, base = _start_server(env)
    try:
        _ready(server, base)
        _until(lambda: _beats(cluster), "the worker's first heartbeat")
        assert _get(f"{base}/api/v1/stats", token)[0] == 200

        # The rescore is held mid-run by a lock on the leads it writes, so the server
        # goes away under it however fast this machine scores.
        blocker = psycopg.connect(cluster.url)
        blocker.execute("LOCK TABLE people_person IN EXCLUSIVE MODE")
        scoring = pg.revloop(env, "score", "--all", wait=False)
        _until(lambda: scoring.poll() is not None or _blocked(cluster), "the rescore writing")
        assert scoring.poll() is None, "the rescore finished before the server stopped"
        cluster.stop()
        blocker.close()

        _, err = scoring.communicate(timeout=60)
        lines = err.decode().strip().splitlines()
        assert scoring.returncode == DatabaseUnavailableError.exit_code, err.decode()
        assert len(lines) == 1, lines
        assert "the database is unavailable" in lines[0]
        routing = pg.revloop(env, "route", wait=False)
        _, err = routing.communicate(timeout=60)
        assert routing.returncode == DatabaseUnavailableError.exit_code
        assert len(err.decode().strip().splitlines()) == 1, err.decode()

        status, body, retry = _get(f"{base}/api/v1/stats", token)
        assert (status, retry) == (503, "5"), body
        assert set(_json(body)) == {"code", "message"}
        assert _json(body)["code"] == "database_unavailable"
        status, body, _ = _get(f"{base}/inbox/", cookie=cookie)
        assert status == 503
        assert b"revloop is unavailable" in body
        assert _get(f"{base}/healthz")[0] == 503
        time.sleep(2)  # the worker tries again twice meanwhile, and says nothing more

        cluster.resume()
        _until(lambda: _beats(cluster), "a heartbeat after the restart")
        assert _get(f"{base}/api/v1/stats", token)[0] == 200
        assert worker.poll() is None, "the worker stopped"
    finally:
        pg.kill(server)
        worker.terminate()
        worker.wait(30)
    said = worker_log.read_text().splitlines()
    outage = [line for line in said if "unavailable" in line]
    assert len(outage) == 1, said
    assert not [line for line in said if "Traceback" in line or " ERROR " in line], said
    assert any("the database is back" in line for line in said), said


def _blocked(cluster: Cluster) -> bool:
    """Whether a session waits on a lock (the rescore, on the blocker's)."""
    with psycopg.connect(cluster.url) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        ).fetchone()
        return bool(row and row[0])


def _json(body: bytes) -> dict[str, Any]:
    import json

    return dict(json.loads(body))
