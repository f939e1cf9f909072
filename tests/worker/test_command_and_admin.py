"""``revloop worker`` from the command line, and the job log for admins only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from revloop.engine.vocabulary import Role
from revloop.users.models import User
from revloop.worker.jobs import prune
from revloop.worker.models import JobRun
from revloop.worker.registry import periodic
from revloop.worker.tasks import run_periodic_job

pytestmark = pytest.mark.django_db


def test_once_runs_what_is_due_and_prints_one_json_document(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """``--once --json`` claims due slots, runs the queues, and reports both."""

    @periodic(every=timedelta(seconds=30), name="test.cli")
    def job(now: datetime) -> dict[str, Any]:
        return {"at": now}

    out = StringIO()
    call_command("worker", "--once", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert [j["job"] for j in report["jobs"]] == ["test.cli"]
    assert report["tasks"] == {"default": 1, "webhooks": 0, "slow": 0}
    assert JobRun.objects.get().result == {"at": "2026-03-02T09:00:00Z"}


def test_an_unknown_queue_is_refused() -> None:
    """A typo in ``--queues`` would leave a queue unserved; it fails instead."""
    with pytest.raises(CommandError, match="queues must be among"):
        call_command("worker", "--once", "--queues", "defualt", stdout=StringIO())


def test_an_admin_reads_the_job_log(make_user: Callable[..., User], jobs: dict[str, Any]) -> None:
    """Job runs and schedules are listed for an admin, read-only."""

    @periodic(every=timedelta(minutes=1), name="test.logged")
    def job(now: datetime) -> None:
        return None

    call_command("worker", "--once", stdout=StringIO())
    admin = make_user("ada", Role.ADMIN, is_staff=True)
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/worker/jobrun/")
    assert listing.status_code == 200
    assert b"test.logged" in listing.content
    assert client.get("/admin/worker/jobschedule/").status_code == 200
    run = JobRun.objects.get()
    assert client.post(f"/admin/worker/jobrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_sales_rep_cannot_read_the_job_log(make_user: Callable[..., User]) -> None:
    """Operational logs are for admins, even when a rep has admin-site access."""
    rep = make_user("rob", Role.SALES_REP, is_staff=True)
    client = Client()
    client.force_login(rep)
    assert client.get("/admin/worker/jobrun/").status_code == 403
    assert client.get("/admin/worker/jobschedule/").status_code == 403


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_process_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """A running ``revloop worker`` finishes on SIGTERM with exit 0 and its JSON report."""
    env = {**os.environ, "REVLOOP_HOME": str(tmp_path), "DATABASE_URL": ""}
    revloop = [sys.executable, "-m", "revloop.cli"]
    subprocess.run([*revloop, "migrate", "-v0"], env=env, check=True, timeout=300)  # noqa: S603
    process = subprocess.Popen(  # noqa: S603
        [*revloop, "worker", "--json", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The worker logs its start on stderr once its loop is up.
        assert process.stderr is not None
        for line in process.stderr:
            if "started" in line:
                break
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    report = json.loads(out)
    assert set(report["tasks"]) == {"default", "webhooks", "slow"}, "every queue thread joined"


def test_old_runs_and_task_results_are_pruned(jobs: dict[str, Any]) -> None:
    """A month of successful runs is kept, failures three months; older ones go."""
    now = timezone.now()
    for days, error in ((10, ""), (40, ""), (40, "boom"), (100, "boom")):
        JobRun.objects.create(
            job="x", slot=now, worker="w", started_at=now - timedelta(days=days), error=error
        )
    old = run_periodic_job.enqueue("x", now.isoformat(), "w")
    DBTaskResult.objects.filter(id=old.id).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=20)
    )
    assert prune(now) == {"job_runs_deleted": 2}
    assert sorted(JobRun.objects.values_list("error", flat=True)) == ["", "boom"]
    assert not DBTaskResult.objects.exists()
