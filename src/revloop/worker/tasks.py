"""The task that runs one claimed slot of a periodic job on the task queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from revloop.worker.compat import task
from revloop.worker.schedule import run_claimed


@task()
def run_periodic_job(name: str, slot: str, worker: str) -> dict[str, Any] | None:
    return run_claimed(name, datetime.fromisoformat(slot), worker)
