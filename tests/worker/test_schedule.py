"""Periodic jobs: one run per due slot across workers, one catch-up run after downtime."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from revloop.worker import registry
from revloop.worker.compat import TaskResultStatus
from revloop.worker.loop import Worker
from revloop.worker.models import JobRun, JobSchedule
from revloop.worker.registry import periodic
from revloop.worker.schedule import claim_due_jobs, next_slot, tick

from .conftest import START

pytestmark = pytest.mark.django_db


def _counting_job(name: str, every: timedelta, calls: list[datetime]) -> None:
    @periodic(every=every, name=name)
    def job(now: datetime) -> dict[str, Any]:
        calls.append(now)
        return {"calls": len(calls)}


@given(
    offset=st.integers(min_value=0, max_value=10**7),
    every=st.integers(min_value=1, max_value=10**6),
)
def test_next_slot_is_the_first_grid_point_after_now(offset: int, every: int) -> None:
    """The next slot is on the job's grid, after now, and no more than one interval after."""
    slot = START
    now = START + timedelta(seconds=offset)
    step = timedelta(seconds=every)
    nxt = next_slot(slot, step, now)
    assert now < nxt <= now + step
    assert (nxt - slot) % step == timedelta(0)


def test_a_new_job_runs_at_once_then_every_interval(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """A job's first slot is due when the worker first sees it; the next one an interval later."""
    calls: list[datetime] = []
    _counting_job("test.tick", timedelta(seconds=30), calls)
    worker = Worker()

    assert [c.job for c in worker.run_once().claimed] == ["test.tick"]
    assert calls == [START]
    worker.run_once()
    assert calls == [START], "not due again within its interval"

    clock.shift(timedelta(seconds=30))
    worker.run_once()
    assert calls == [START, START + timedelta(seconds=30)]


def test_a_restarted_worker_catches_up_once_not_once_per_missed_slot(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """After a day down, a 30-second job runs once, and its grid stays where it was."""
    calls: list[datetime] = []
    _counting_job("test.sweep", timedelta(seconds=30), calls)
    Worker().run_once()

    clock.shift(timedelta(days=1, seconds=10))
    Worker().run_once()

    assert len(calls) == 2
    schedule = JobSchedule.objects.get(name="test.sweep")
    assert schedule.next_run_at == START + timedelta(days=1, seconds=30)
    assert schedule.runs == 2
    assert JobRun.objects.filter(job="test.sweep").count() == 2


def test_a_slot_is_claimed_by_one_worker_only(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """Two workers looking at the same due slot: one enqueues the run, the other nothing."""
    _counting_job("test.once", timedelta(minutes=5), [])
    first = claim_due_jobs(worker="a")
    second = claim_due_jobs(worker="b")
    assert [c.job for c in first] == ["test.once"]
    assert second == []
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_claim_each_slot_once(jobs: dict[str, Any]) -> None:
    """Eight workers racing for the same due slot on a server database run it once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    _counting_job("test.race", timedelta(minutes=5), [])
    claim_due_jobs(worker="setup", now=datetime.now(UTC) - timedelta(hours=1))  # create the row
    JobSchedule.objects.update(next_run_at=datetime.now(UTC) - timedelta(minutes=1))
    barrier = threading.Barrier(8)
    claimed: list[int] = []

    def claim(n: int) -> None:
        try:
            barrier.wait()
            claimed.append(len(claim_due_jobs(worker=f"w{n}")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(claimed) == 1


def test_a_failing_job_is_logged_with_its_error_and_keeps_its_schedule(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """The error is on the run and the schedule; the task result says failed; it runs again."""

    @periodic(every=timedelta(minutes=1), name="test.broken")
    def broken(now: datetime) -> None:
        raise ValueError("the warehouse is closed")

    Worker().run_once()
    run = JobRun.objects.get(job="test.broken")
    assert "ValueError: the warehouse is closed" in run.error
    assert run.finished_at == START
    assert not run.ok
    assert "the warehouse is closed" in JobSchedule.objects.get(name="test.broken").last_error
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED

    clock.shift(timedelta(minutes=1))
    Worker().run_once()
    assert JobRun.objects.filter(job="test.broken").count() == 2


def test_a_job_result_is_stored_on_the_run_and_the_task(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """What the job returns is its summary in the log and the queue's stored result."""
    _counting_job("test.summary", timedelta(hours=1), [])
    Worker().run_once()
    assert JobRun.objects.get().result == {"calls": 1}
    assert JobSchedule.objects.get().last_result == {"calls": 1}
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == {"calls": 1}


def test_slow_jobs_run_on_their_own_queue(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """A job declared slow is queued on ``slow``, apart from the quick sweeps."""

    @periodic(every=timedelta(days=1), name="test.nightly", queue="slow")
    def nightly(now: datetime) -> None:
        return None

    done = Worker().run_once()
    assert [(c.job, c.queue) for c in done.claimed] == [("test.nightly", "slow")]
    assert done.tasks["slow"] == 1
    assert DBTaskResult.objects.get().queue_name == "slow"


def test_registering_two_jobs_under_one_name_is_refused(jobs: dict[str, Any]) -> None:
    """A name collision would make one job silently replace another."""
    _counting_job("test.same", timedelta(seconds=30), [])
    with pytest.raises(ValueError, match="two periodic jobs"):

        @periodic(every=timedelta(seconds=30), name="test.same")
        def other(now: datetime) -> None:
            return None


def test_a_non_positive_interval_is_refused() -> None:
    """A job that is due all the time is a bug, not a schedule."""
    with pytest.raises(ValueError, match="positive"):
        registry.periodic(every=timedelta(0))


@pytest.mark.django_db(transaction=True)
def test_the_running_worker_runs_a_30_second_job_and_stops_on_request(
    jobs: dict[str, Any],
) -> None:
    """While the worker runs, a due job is run by it; stop() ends the loop and its threads."""
    if connection.vendor != "postgresql":
        # The in-memory SQLite test database fails threads at once on a lock instead of
        # waiting for it as the file database does; the loop is tested on PostgreSQL.
        pytest.skip("threads need a database that waits for locks")
    ran = threading.Event()

    @periodic(every=timedelta(seconds=30), name="test.live")
    def live(now: datetime) -> None:
        ran.set()

    worker = Worker(interval=0.1)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        assert ran.wait(timeout=30), "the due job never ran"
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert JobRun.objects.filter(job="test.live").exists()


def test_a_look_claims_what_falls_due_before_the_next_look_as_deferred_runs(
    jobs: dict[str, Any], clock: time_machine.Coordinates
) -> None:
    """A worker that looks once a second still starts runs on time: a slot or wake-up
    moment within the horizon is claimed now and queued to start at its moment."""
    moments = [START + timedelta(milliseconds=400), START + timedelta(milliseconds=700)]

    def wake(after: datetime) -> datetime | None:
        return min((m for m in moments if m > after), default=None)

    @periodic(every=timedelta(seconds=30), name="test.woken", wake=wake)
    def woken(now: datetime) -> None:
        return None

    tick(worker="a")  # the first, immediate slot
    DBTaskResult.objects.all().delete()
    now_only = tick(worker="a")  # as `worker --once` looks: nothing is left deferred
    assert now_only.claimed == []
    assert now_only.wake_at == moments[0]
    looked = tick(worker="a", horizon=timedelta(seconds=1))

    assert [c.slot for c in looked.claimed] == moments, "one run per moment, in order"
    assert looked.wake_at == START + timedelta(seconds=30.7), "the grid restarts at the last"
    deferred = DBTaskResult.objects.order_by("run_after")
    assert [r.run_after for r in deferred] == moments
    assert not DBTaskResult.objects.ready().exists(), "nothing may start before its moment"
    clock.shift(timedelta(milliseconds=450))
    assert DBTaskResult.objects.ready().count() == 1
    assert tick(worker="b", horizon=timedelta(seconds=1)).claimed == [], "claimed once"
