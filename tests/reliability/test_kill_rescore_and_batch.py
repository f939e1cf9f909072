"""kill -9 during a rescore and during an events batch request, on PostgreSQL; then again.

Each scenario runs on the test database and on a clean twin of it (copied before the
fault): the hurt one is killed while a transaction of it has written, then run again;
the twin runs once. The tables must then hold the same content (ids and clock times
aside, since the two runs happen seconds apart).
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from revloop.activity.models import Touch
from revloop.contracts.versions import active_version
from revloop.engine.vocabulary import Role
from revloop.people.models import Account, Person
from revloop.users.models import ApiToken, TokenScope, User

from . import pg

pytestmark = pg.needs_postgres

SCORED = {
    "people": (
        "SELECT email, stage, grade, fit_score, engagement_score, rule_score,"
        " scored_at IS NULL FROM people_person"
    ),
    "transitions": (
        "SELECT p.email, t.from_stage, t.to_stage, t.by_rule, t.reason_code"
        " FROM lifecycle_stagetransition t JOIN people_person p ON p.id = t.person_id"
    ),
    "runs": 'SELECT "full", trigger, people, moved::text FROM scoring_scoringrun',
}


def _seed_people(count: int) -> None:
    """Leads of good and poor fit with touches that make some of them MQLs."""
    active_version()
    now = timezone.now()
    accounts = Account.objects.bulk_create(
        Account(
            name=f"Account {n}",
            industry="Manufacturing" if n % 2 else "Retail",
            employee_count=1000,
            region="NA",
            created_at=now,
        )
        for n in range(count)
    )
    people = Person.objects.bulk_create(
        Person(
            email=f"p{n}@account{n}.example",
            email_key=f"p{n}@account{n}.example",
            title="VP Operations" if n % 3 else "Intern",
            account=account,
            stage="lead",
            stage_changed_at=now,
            created_at=now,
        )
        for n, account in enumerate(accounts)
    )
    kinds = [("page_view", "https://x.example/pricing"), ("chat", ""), ("email_click", "")]
    Touch.objects.bulk_create(
        Touch(
            event_id=f"seed-{person.pk}-{k}",
            person=person,
            occurred_at=now - timedelta(days=1, minutes=k),
            type=kinds[(n + k) % 3][0],
            url=kinds[(n + k) % 3][1],
        )
        for n, person in enumerate(people)
        for k in range(n % 7)
    )


def test_a_rescore_killed_mid_write_then_rerun_ends_as_one_clean_run(tmp_path: Path) -> None:
    _seed_people(2500)
    with pg.twin("clean") as clean:
        victim = pg.revloop(pg.child_env(tmp_path), "score", wait=False)
        pg.kill_while_writing(victim)
        pg.finish(
            pg.revloop(pg.child_env(tmp_path), "score", wait=False),
            pg.revloop(pg.child_env(tmp_path, clean), "score", wait=False),
        )
        after = {name: pg.rows(None, sql) for name, sql in SCORED.items()}
        expected = {name: pg.rows(clean, sql) for name, sql in SCORED.items()}
    assert any(row[2] == "mql" for row in expected["transitions"]), "the seed makes no MQL"
    for table in SCORED:
        assert pg.same(after[table], expected[table]), table


TOUCHES = {
    "touches": (
        "SELECT t.event_id, p.email, t.occurred_at, t.type, t.url"
        " FROM activity_touch t LEFT JOIN people_person p ON p.id = t.person_id"
    ),
    "people": "SELECT email, stage FROM people_person",
}
BATCHES, PER_BATCH = 4, 500


def _batch(number: int) -> bytes:
    events = [
        {
            "event_id": f"b{number}-{n}",
            "timestamp": "2026-03-02T09:30:00+00:00",
            "type": "page_view",
            "email": f"visitor{(number * PER_BATCH + n) % 1200}@acme{n % 40}.example",
            "url": f"https://acme.example/p/{n}",
        }
        for n in range(PER_BATCH)
    ]
    return json.dumps({"events": events}).encode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(
    env: dict[str, str], log: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """The WSGI server ``revloop serve`` runs, on revloop's application, without the
    static files it collects first (an API request needs none)."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - the venv's own gunicorn
        [
            str(pg.BIN / "gunicorn"),
            "revloop.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb") if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    return server, f"http://127.0.0.1:{port}"


def _ready(server: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    pg.kill(server)
    raise AssertionError("the server did not start")


def _send(base: str, token: str, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/v1/events",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return dict(json.load(response))


def _send_all(base: str, token: str) -> list[dict[str, int]]:
    return [_send(base, token, _batch(n))["counts"] for n in range(BATCHES)]


def test_a_server_killed_during_an_events_batch_then_resent_ends_as_one_clean_run(
    tmp_path: Path,
) -> None:
    user = User.objects.create_user("mia")
    user.groups.add(Group.objects.get_or_create(name=Role.MARKETING.value)[0])
    _, token = ApiToken.issue(user, "faults", TokenScope.INGEST)
    with pg.twin("clean") as clean:
        server, base = _start_server(pg.child_env(tmp_path))
        _ready(server, base)
        sender = _Sender(base, token)
        pg.kill_while_writing(server)
        sender.join()
        assert sender.failed, "the server answered every batch before it was killed"
        server, base = _start_server(pg.child_env(tmp_path))
        clean_server, clean_base = _start_server(pg.child_env(tmp_path, clean))
        try:
            _ready(server, base)
            _ready(clean_server, clean_base)
            with ThreadPoolExecutor(2) as pool:
                resent, once = pool.map(_send_all, (base, clean_base), (token, token))
        finally:
            pg.kill(server)
            pg.kill(clean_server)
        after = {name: pg.rows(None, sql) for name, sql in TOUCHES.items()}
        expected = {name: pg.rows(clean, sql) for name, sql in TOUCHES.items()}
    assert sum(c.get("stored", 0) for c in once) == BATCHES * PER_BATCH
    # Resent after the kill: what had been committed is answered as a duplicate.
    assert sum(c.get("stored", 0) + c.get("duplicate", 0) for c in resent) == BATCHES * PER_BATCH
    assert after == expected


class _Sender:
    """Sends the batches one after another in a thread until the server goes away."""

    def __init__(self, base: str, token: str) -> None:
        self.failed = False
        self.sent = 0
        self._thread = threading.Thread(target=self._run, args=(base, token), daemon=True)
        self._thread.start()

    def _run(self, base: str, token: str) -> None:
        try:
            for n in range(BATCHES):
                _send(base, token, _batch(n))
                self.sent += 1
        except OSError:
            self.failed = True

    def join(self) -> None:
        self._thread.join(60)
