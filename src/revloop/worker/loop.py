"""The worker: a clock that claims due periodic slots, and one runner per task queue.

Runners are the database backend's own worker (claiming a task row under a lock,
storing its result or traceback); each queue has its own thread so that a nightly
rescore on ``slow`` never delays a 30-second SLA sweep on ``default``. More worker
processes share the load: slots and tasks are each claimed by exactly one of them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import Error, OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from revloop.core.database import database_unavailable
from revloop.worker.actions import do_beat
from revloop.worker.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from revloop.worker.registry import QUEUES
from revloop.worker.schedule import Claimed, Tick, tick

logger = logging.getLogger(__name__)

#: How long a queue runner sleeps when its queue is empty (the clock wakes the runners
#: of this process at once when it enqueues a job; this is for tasks other processes add).
QUEUE_POLL_SECONDS = 1.0
#: The clock looks at the schedule at most this often, however close the next deadline.
MIN_TICK_SECONDS = 1.0


def quiet_task_logs(verbosity: int = 1) -> None:
    """The queue logs every task it starts and finishes: only at ``-v 2`` and up."""
    level = logging.INFO if verbosity >= 2 else logging.WARNING
    for name in ("django_tasks", "django.tasks", "django_tasks_db"):
        logging.getLogger(name).setLevel(level)


def new_worker_id() -> str:
    host = socket.gethostname()[:32]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


class _QueueRunner(DatabaseWorker):
    """The backend's worker for one queue, counting what it ran, stopped by an event."""

    def __init__(
        self, queue: str, worker_id: str, *, batch: bool, stopping: threading.Event
    ) -> None:
        self._stopping = stopping
        super().__init__(
            queue_names=[queue],
            interval=QUEUE_POLL_SECONDS,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.ran = 0

    @property
    def running(self) -> bool:
        return not self._stopping.is_set()

    @running.setter
    def running(self, value: bool) -> None:
        if not value:
            self._stopping.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        self.ran += 1

    def drain(self) -> None:
        """Run every ready task of the queue, in this thread, on this connection.

        The backend's own loop also recycles the thread's database connection,
        which is right for a long-running thread but not for a caller's
        connection (a command run from a test, or ``--once`` under cron).
        """
        ready = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_name, queue_name__in=self.queue_names
        )
        while self.running:
            try:
                with exclusive_transaction(ready.db):
                    found = ready.get_locked()
                    if found is not None:
                        found.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return  # another worker holds the queue; it will run these
                raise
            if found is None:
                return
            self.run_task(found)

    def serve(self, wake: threading.Event) -> None:
        """Drain the queue, then sleep until ``wake`` is set or the poll interval passes.

        The backend's loop sleeps a fixed interval; a job the clock has just enqueued
        would wait up to that long before it starts.
        """
        while self.running:
            close_old_connections()
            self.drain()
            close_old_connections()
            wake.wait(QUEUE_POLL_SECONDS)
            wake.clear()


class _Outage:
    """Whether the database is away, said once when it goes and once when it is back,
    whichever of the worker's threads notices first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down = False

    def failed(self, exc: Exception) -> bool:
        """True when ``exc`` is the database going away; this thread's connection is
        dropped so the next try opens a new one."""
        gone = database_unavailable(exc)
        if gone is None:
            return False
        with self._lock:
            if not self.down:
                self.down = True
                logger.warning("%s; the worker waits and retries", gone.message)
        with suppress(Error):
            connection.close()
        return True

    def answered(self) -> None:
        if self.down:
            with self._lock:
                if self.down:
                    self.down = False
                    logger.warning("the database is back; the worker carries on")


@dataclass
class Pass:
    """What one pass of the worker did."""

    worker: str
    claimed: list[Claimed] = field(default_factory=list)
    tasks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "jobs": [{"job": c.job, "slot": c.slot, "queue": c.queue} for c in self.claimed],
            "tasks": self.tasks,
        }


def check_backend() -> None:
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        raise RuntimeError("the worker runs tasks of the database task backend only")


class Worker:
    def __init__(
        self,
        *,
        interval: float = 5.0,
        worker_id: str | None = None,
        queues: Sequence[str] = QUEUES,
    ) -> None:
        check_backend()
        self.interval = interval
        self.worker_id = worker_id or new_worker_id()
        unknown = set(queues) - set(QUEUES)
        if unknown or not queues:
            raise ValueError(f"queues must be among {', '.join(QUEUES)}")
        self.queues = tuple(queues)
        self.stopping = threading.Event()
        self._runners: list[_QueueRunner] = []
        self.claimed_total = 0
        self.outage = _Outage()
        self._wake = {queue: threading.Event() for queue in self.queues}

    def run_once(self) -> Pass:
        """Claim what is due now, then run every ready task of every queue, and return."""
        done = Pass(self.worker_id, claimed=self._tick().claimed)
        for queue in self.queues:
            runner = _QueueRunner(queue, self.worker_id, batch=True, stopping=threading.Event())
            runner.drain()
            done.tasks[queue] = runner.ran
        return done

    def run(self) -> Pass:
        """Run until :meth:`stop`: the clock here, each queue in its own thread."""
        logger.info("worker %s started (queues: %s)", self.worker_id, ", ".join(self.queues))
        threads = [
            threading.Thread(target=self._serve_queue, args=(q,), name=f"worker-{q}", daemon=True)
            for q in self.queues
        ]
        for thread in threads:
            thread.start()
        total = Pass(self.worker_id)
        beaten = -float("inf")
        try:
            while not self.stopping.is_set():
                close_old_connections()
                started = time.monotonic()
                next_at = started + self.interval
                try:
                    # The clock may look every second; the heartbeat need not be written
                    # more often than the interval (the health check allows three).
                    if started - beaten >= self.interval:
                        do_beat(self.worker_id, self.queues)
                        beaten = started
                    self.outage.answered()
                    looked = self._tick(ahead=True)
                    total.claimed.extend(looked.claimed)
                    for claim in looked.claimed:
                        self._wake_runner_at(claim)
                    next_at = self._next_tick(started, looked)
                except Exception as exc:
                    # A locked or restarting database must not end the worker.
                    if not self.outage.failed(exc):
                        logger.exception("claiming periodic jobs failed; retrying")
                self.stopping.wait(max(0.0, next_at - time.monotonic()))
        finally:
            self.stop()
            for thread in threads:
                thread.join()
            connection.close()
        total.tasks = {r.queue_names[0]: r.ran for r in self._runners}
        logger.info("worker %s stopped", self.worker_id)
        return total

    def _tick(self, *, ahead: bool = False) -> Tick:
        """Claim what is due; the running loop also claims what falls due before its next
        look, deferred to its moment (``run_once`` claims only what is due now)."""
        # A worker serving some queues only schedules the jobs that run on them.
        horizon = timedelta(seconds=min(MIN_TICK_SECONDS, self.interval)) if ahead else timedelta(0)
        return tick(worker=self.worker_id, queues=self.queues, horizon=horizon)

    def _wake_runner_at(self, claim: Claimed) -> None:
        """Wake the claim's queue runner when its run may start, not at its next poll."""
        wake = self._wake[claim.queue]
        # A hair late, so that the task is ready by the database's clock as well.
        delay = (claim.slot - timezone.now()).total_seconds() + 0.005
        if delay <= 0.005:
            wake.set()
            return
        timer = threading.Timer(delay, wake.set)
        timer.daemon = True
        timer.start()

    def _next_tick(self, started: float, looked: Tick) -> float:
        """When (on the monotonic clock) to look again: at the next slot or deadline, no
        later than the interval after this look began, and no sooner than a second (or
        the interval, if shorter) after it."""
        at = started + self.interval
        if looked.wake_at is not None:
            ahead = (looked.wake_at - timezone.now()).total_seconds()
            at = min(at, time.monotonic() + ahead)
        return max(at, started + min(MIN_TICK_SECONDS, self.interval))

    def stop(self) -> None:
        """Finish the tasks that are running, start no new ones."""
        self.stopping.set()
        for wake in self._wake.values():
            wake.set()

    def _serve_queue(self, queue: str) -> None:
        runner = _QueueRunner(queue, self.worker_id, batch=False, stopping=self.stopping)
        self._runners.append(runner)
        try:
            while not self.stopping.is_set():
                try:
                    runner.serve(self._wake[queue])
                except Exception as exc:
                    if not self.outage.failed(exc):
                        logger.exception("queue %s: the runner failed; restarting it", queue)
                    self.stopping.wait(QUEUE_POLL_SECONDS)
        finally:
            connection.close()
