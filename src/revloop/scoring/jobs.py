"""Rescoring in the background: people whose touches just arrived, and everyone nightly.

When capture's transaction commits, it announces the people it touched
(``people_changed``) and :mod:`revloop.scoring.receivers` enqueues
:func:`rescore_people_task` with their ids (a batch of events is one task of up to
1,000 people, a fraction of a second), instead of making the client wait for the rescore or
having a sweep scan for changes every few seconds. A task lost with a killed
worker is not lost for long: the nightly full rescore catches everyone up, which
it must do anyway because engagement fades with time and quiet leads recycle.
A bulk import (``records_imported``) enqueues one watermark-based
:func:`rescore_changed_task` on the slow queue rather than ids by the million.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from revloop.scoring.actions import do_rescore, do_rescore_people
from revloop.worker.compat import task
from revloop.worker.registry import periodic

#: One task per this many people, so that a big batch never holds a queue for long.
TASK_PEOPLE = 1_000


@task()
def rescore_people_task(ids: list[int]) -> dict[str, Any]:
    summary = do_rescore_people(ids)
    return {"people": summary.people, "moved": summary.moved, "seconds": summary.seconds}


@task(queue_name="slow")
def rescore_changed_task(full: bool = False, trigger: str = "import") -> dict[str, Any]:
    summary = do_rescore(full=full, trigger=trigger)
    return {"full": summary.full, "people": summary.people, "moved": summary.moved}


def enqueue_people(ids: list[int]) -> None:
    """Rescore these people in the worker, a task per :data:`TASK_PEOPLE` of them."""
    for start in range(0, len(ids), TASK_PEOPLE):
        rescore_people_task.enqueue(ids[start : start + TASK_PEOPLE])


@periodic(
    every=timedelta(days=1), name="scoring.nightly_rescore", queue="slow", start_at_once=False
)
def nightly_rescore(now: datetime) -> dict[str, Any]:
    """Engagement fades every day: rescore everyone, recycling the leads that went quiet."""
    summary = do_rescore(full=True, trigger="nightly", now=now)
    return {"people": summary.people, "moved": summary.moved, "seconds": summary.seconds}
