"""Claim due slots of periodic jobs, and run one claimed slot.

A slot is claimed by moving the job's ``next_run_at`` on with a conditional UPDATE
(``WHERE next_run_at = <the slot read>``): of two workers that read the same slot,
only the one whose UPDATE changes a row runs it. The claim and the enqueued run are
written in one transaction on the task queue's own database, so a worker that dies
between them leaves the slot unclaimed rather than lost.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from revloop.core.database import database_unavailable
from revloop.worker.models import JobRun, JobSchedule
from revloop.worker.registry import PeriodicJob, get_job, registered_jobs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    job: str
    slot: datetime
    queue: str


def next_slot(slot: datetime, every: timedelta, now: datetime) -> datetime:
    """The first slot after ``now`` on the grid ``slot + k * every``.

    A worker that was down for a week runs a 30-second job once on its return, not
    20,160 times; the grid keeps a nightly job at the hour it started at.
    """
    if slot > now:
        return slot
    return slot + ((now - slot) // every + 1) * every


def _ensure_schedules(jobs: dict[str, PeriodicJob], now: datetime) -> None:
    known = dict(JobSchedule.objects.values_list("name", "every_seconds"))
    new = [
        JobSchedule(
            name=name,
            every_seconds=_seconds(job.every),
            next_run_at=now if job.start_at_once else now + job.every,
        )
        for name, job in jobs.items()
        if name not in known
    ]
    if new:
        # Another worker may be inserting the same rows.
        JobSchedule.objects.bulk_create(new, ignore_conflicts=True)
    for name, job in jobs.items():
        every = _seconds(job.every)
        if name in known and known[name] != every:
            # The interval changed in code: keep the next slot unless it is now too far.
            JobSchedule.objects.filter(name=name).update(every_seconds=every)
            JobSchedule.objects.filter(name=name, next_run_at__gt=now + job.every).update(
                next_run_at=now + job.every
            )


def _seconds(every: timedelta) -> int:
    return max(1, int(every.total_seconds()))


@dataclass(frozen=True)
class Tick:
    """What one look at the schedule claimed, and when the next look is worth making."""

    claimed: list[Claimed]
    #: The earliest slot or wake-up moment still ahead; None when no job is known.
    wake_at: datetime | None


def claim_due_jobs(
    *, worker: str, now: datetime | None = None, queues: Collection[str] | None = None
) -> list[Claimed]:
    """Claim every due slot (of jobs on ``queues``), enqueue its run; return the claims."""
    return tick(worker=worker, now=now, queues=queues).claimed


#: At most this many runs of one job are claimed ahead in one look.
MAX_CLAIMS_AHEAD = 100


def tick(
    *,
    worker: str,
    now: datetime | None = None,
    queues: Collection[str] | None = None,
    horizon: timedelta = timedelta(0),
) -> Tick:
    """Claim every slot due by ``now + horizon`` and every moment a job's ``wake`` names
    by then; say when the next moment after that is.

    A slot or moment still ahead is claimed as a run deferred to it (the queue starts it
    then), so a worker that looks once a second still starts runs on time. A job's
    previous slot is ``next_run_at - every``: its last run started at or after it, so
    only a wake-up moment later than that is new work. A woken run restarts the job's
    grid at its moment.
    """
    now = now or timezone.now()
    until = now + horizon
    jobs = {
        name: job
        for name, job in registered_jobs().items()
        if queues is None or job.queue in queues
    }
    _ensure_schedules(jobs, now)
    slots = dict(JobSchedule.objects.filter(name__in=list(jobs)).values_list("name", "next_run_at"))
    claimed: list[Claimed] = []
    ahead: list[datetime] = []
    for name, slot in slots.items():
        runs, next_moment = _claim_runs(jobs[name], slot, now=now, until=until, worker=worker)
        claimed.extend(runs)
        if next_moment is not None:
            ahead.append(next_moment)
    return Tick(claimed, min(ahead, default=None))


def _claim_runs(
    job: PeriodicJob, next_run_at: datetime, *, now: datetime, until: datetime, worker: str
) -> tuple[list[Claimed], datetime | None]:
    """The runs of one job claimed up to ``until``, and its first moment after that."""
    claimed: list[Claimed] = []
    slot, seen = next_run_at, next_run_at - job.every
    for _ in range(MAX_CLAIMS_AHEAD):
        if slot <= now:
            run_at, following = slot, next_slot(slot, job.every, now)
        else:
            woken = job.wake(seen) if job.wake is not None else None
            if woken is not None and woken < slot:
                run_at = max(woken, now)
                following = run_at + job.every
            else:
                run_at, following = slot, slot + job.every
            if run_at > until:
                return claimed, run_at
        if not _claim(job, slot=slot, run_at=run_at, following=following, now=now, worker=worker):
            break  # another worker claimed this slot first
        claimed.append(Claimed(job.name, run_at, job.queue))
        slot, seen = following, max(run_at, now)
    return claimed, None


def _claim(
    job: PeriodicJob,
    *,
    slot: datetime,
    run_at: datetime,
    following: datetime,
    now: datetime,
    worker: str,
) -> bool:
    """Move the job's slot on if it is still ``slot`` and enqueue its run, deferred to
    ``run_at`` when that is ahead; False when another worker moved it first."""
    from revloop.worker.tasks import run_periodic_job

    with transaction.atomic():
        moved = JobSchedule.objects.filter(name=job.name, next_run_at=slot).update(
            next_run_at=following
        )
        if moved != 1:
            return False
        task = run_periodic_job.using(
            queue_name=job.queue, run_after=run_at if run_at > now else None
        )
        task.enqueue(job.name, run_at.isoformat(), worker)
    return True


def _database_away() -> bool:
    """Whether the database is unreachable right now (one ``SELECT 1``)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as probe:
        return database_unavailable(probe) is not None
    return False


def _plain(result: dict[str, Any] | None) -> dict[str, Any] | None:
    # Stored in JSON columns (the run log and the task result): dates become ISO text.
    return None if result is None else json.loads(json.dumps(result, cls=DjangoJSONEncoder))


def run_claimed(name: str, slot: datetime, worker: str) -> dict[str, Any] | None:
    """Run one claimed slot of a job, log it, and re-raise its error for the task result."""
    job = get_job(name)
    if job is None:
        logger.warning("periodic job %s is no longer registered; slot %s skipped", name, slot)
        return {"skipped": "not registered"}
    started_at = timezone.now()
    run = JobRun.objects.create(job=name, slot=slot, worker=worker, started_at=started_at)
    started = time.perf_counter()
    result: dict[str, Any] | None = None
    error = ""
    try:
        result = _plain(job.function(started_at))
    except Exception as exc:
        error = "".join(traceback.format_exception_only(exc)).strip()
        # A database that went away is the worker's one line to say, not each job's,
        # also when a library reading it (the analytics' own connections) says so in
        # words of its own.
        if database_unavailable(exc) is None and not _database_away():
            logger.exception("periodic job %s failed", name)
        raise
    finally:
        seconds = time.perf_counter() - started
        finished_at = timezone.now()
        JobRun.objects.filter(pk=run.pk).update(
            finished_at=finished_at, seconds=seconds, result=result, error=error
        )
        JobSchedule.objects.filter(name=name).update(
            last_started_at=started_at,
            last_finished_at=finished_at,
            last_seconds=seconds,
            last_result=result,
            last_error=error,
            runs=F("runs") + 1,
        )
    return result
