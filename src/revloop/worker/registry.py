"""Periodic jobs: a function of ``now`` that runs every so often, whichever worker is up.

Apps register them in their ``jobs`` module::

    @periodic(every=timedelta(seconds=30))
    def sweep_sla_clocks(now: datetime) -> dict[str, Any] | None: ...

The worker imports every installed app's ``jobs`` module (as the admin finds
``admin`` modules), keeps each job's next due time in a database row, and runs a
due job once, however many of its slots a stopped worker missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.module_loading import autodiscover_modules

JobFunction = Callable[[datetime], dict[str, Any] | None]
#: ``wake(after)``: the first moment later than ``after`` at which the job has work, read
#: from the database (the next SLA deadline), or None when nothing is waiting.
WakeFunction = Callable[[datetime], datetime | None]

#: Quick jobs share the default queue; jobs that take minutes (a full rescore,
#: retraining) go to ``slow`` so they never hold up the SLA sweeps.
QUEUES = ("default", "webhooks", "slow")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    function: JobFunction
    queue: str = "default"
    start_at_once: bool = True
    wake: WakeFunction | None = None


_JOBS: dict[str, PeriodicJob] = {}


def periodic(
    *,
    every: timedelta,
    name: str | None = None,
    queue: str = "default",
    start_at_once: bool = True,
    wake: WakeFunction | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn(now) -> summary | None`` to run every ``every``; returns ``fn`` unchanged.

    A job first runs when a worker first sees it, or one interval later with
    ``start_at_once=False`` (a nightly rescore need not run the minute after install).
    The summary must be JSON-serialisable; dates and decimals are turned into text.

    With ``wake``, the job also runs as soon as the moment ``wake`` names has come (an
    SLA deadline noticed within a second, not at the next 30-second slot); its grid
    then restarts from that run.
    """
    if every <= timedelta(0):
        raise ValueError("a periodic job needs a positive interval")
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; one of {', '.join(QUEUES)}")

    def register(function: JobFunction) -> JobFunction:
        job_name = name or f"{function.__module__}.{function.__qualname__}"
        known = _JOBS.get(job_name)
        if known is not None and _origin(known.function) != _origin(function):
            raise ValueError(f"two periodic jobs are named {job_name!r}")
        _JOBS[job_name] = PeriodicJob(job_name, every, function, queue, start_at_once, wake)
        return function

    return register


def _origin(function: JobFunction) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def autodiscover() -> None:
    autodiscover_modules("jobs")


def registered_jobs() -> dict[str, PeriodicJob]:
    """Every registered job by name, after importing the apps' ``jobs`` modules."""
    autodiscover()
    return dict(_JOBS)


def get_job(name: str) -> PeriodicJob | None:
    autodiscover()
    return _JOBS.get(name)
