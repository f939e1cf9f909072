"""The worker's own housekeeping: finished task results and old job runs are pruned
daily, and the database's planner statistics refreshed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.db.models import Q

from revloop.core.loading import refresh_planner_statistics
from revloop.worker.models import JobRun
from revloop.worker.registry import periodic

#: A 30-second sweep logs close to 3,000 runs a day per job: a month is plenty to
#: look back on; failures are kept longer because someone may still be looking.
KEEP_RUNS = timedelta(days=30)
KEEP_FAILED_RUNS = timedelta(days=90)
KEEP_TASK_RESULTS_DAYS = 14
KEEP_FAILED_TASK_RESULTS_DAYS = 90


@periodic(every=timedelta(days=1), name="worker.prune", start_at_once=False)
def prune(now: datetime) -> dict[str, Any]:
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=KEEP_TASK_RESULTS_DAYS,
        failed_min_age_days=KEEP_FAILED_TASK_RESULTS_DAYS,
        verbosity=0,
    )
    deleted, _ = JobRun.objects.filter(
        Q(error="", started_at__lt=now - KEEP_RUNS) | Q(started_at__lt=now - KEEP_FAILED_RUNS)
    ).delete()
    return {"job_runs_deleted": deleted}


# At once on a worker's first start (a database loaded by an earlier version has none),
# then daily as the tables grow. SQLite samples (0.2 s at a million people); on the slow
# queue, and past locked tables, so the SLA sweeps never wait for it.
@periodic(every=timedelta(days=1), name="worker.analyze", queue="slow")
def analyze(now: datetime) -> None:
    # How long it took is on the job's run log, as for every job.
    refresh_planner_statistics(skip_locked=True)
