"""A `revloop import` killed with SIGKILL half-way, then run again, ends as one clean run.

The in-process test in test_import.py interrupts the writer with an exception; this one
kills a real process at a random moment of its run, with no chance to clean up.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
ROWS = 60_000


def _revloop(home: Path, *args: str, wait: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REVLOOP_HOME": str(home)}
    env.pop("DATABASE_URL", None)  # each run gets its own embedded database
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(BIN / "revloop"), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if wait:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
    return process


def _state(home: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(home / "revloop.sqlite3") as db:
        touches = db.execute(
            "SELECT t.event_id, p.email, t.occurred_at, t.type, t.channel, t.url "
            "FROM activity_touch t JOIN people_person p ON p.id = t.person_id ORDER BY 1"
        ).fetchall()
        people = db.execute("SELECT email, account_id IS NULL FROM people_person ORDER BY 1")
        return touches, people.fetchall()


def _touch_count(home: Path) -> int:
    try:
        with sqlite3.connect(home / "revloop.sqlite3", timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM activity_touch").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_a_sigkilled_import_rerun_ends_like_one_clean_run(tmp_path: Path) -> None:
    path = tmp_path / "touches.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["occurred_at", "type", "email", "channel", "url"])
        for n in range(ROWS):
            out.writerow(
                [
                    f"2026-02-01T09:00:{n % 60:02d}+00:00",
                    ("page_view", "email_click", "content_download")[n % 3],
                    f"p{n % 5_000}@acme{n % 40}.example",
                    "email",
                    f"https://acme.example/p/{n}",
                ]
            )
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    for home in (killed, clean):
        home.mkdir()
        _revloop(home, "migrate", "-v0")

    victim = _revloop(killed, "import", "touches", str(path), wait=False)
    deadline = time.monotonic() + 300
    while _touch_count(killed) == 0 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    partial = _touch_count(killed)
    if partial in (0, ROWS):
        pytest.fail(f"the kill did not land half-way ({partial:,} of {ROWS:,} touches stored)")

    _revloop(killed, "import", "touches", str(path))
    _revloop(clean, "import", "touches", str(path))
    assert _state(killed) == _state(clean)
    assert len(_state(clean)[0]) == ROWS
