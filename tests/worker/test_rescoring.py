"""Scores follow the data in the background: on arrival, after a merge, nightly, weekly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from revloop.capture.actions import do_import_file, do_ingest_events, do_upsert_people
from revloop.people.actions import do_merge_people
from revloop.people.models import Person
from revloop.predictions.jobs import nightly_predict, weekly_retrain
from revloop.scoring.jobs import nightly_rescore
from revloop.worker.loop import Worker
from revloop.worker.registry import registered_jobs
from tests import factories
from tests.contract_helpers import ideal_person

pytestmark = pytest.mark.django_db


def _tasks(name: str) -> list[DBTaskResult]:
    return [t for t in DBTaskResult.objects.all() if t.task_path.endswith(name)]


def test_touches_that_arrive_are_scored_by_the_worker_not_the_request(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A stored batch enqueues one rescore of its people; the worker scores them."""
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        result = do_ingest_events(
            [
                {
                    "event_id": f"e-{n}",
                    "timestamp": (now - timedelta(hours=n)).isoformat(),
                    "type": "page_view",
                    "email": f"lead{n % 2}@acme.example",
                }
                for n in range(4)
            ]
        )
    assert result.counts == {"stored": 4}
    assert not Person.objects.filter(scored_at__isnull=False).exists(), "not in the request"
    [task] = _tasks("rescore_people_task")
    assert sorted(task.args_kwargs["args"][0]) == sorted(
        Person.objects.values_list("id", flat=True)
    )

    Worker(queues=("default",)).run_once()
    assert Person.objects.filter(scored_at__isnull=True).count() == 0


def test_duplicates_and_rollbacks_enqueue_nothing(django_capture_on_commit_callbacks: Any) -> None:
    """An event sent again changes no score, so it asks for no rescore."""
    event = {
        "event_id": "again",
        "timestamp": timezone.now().isoformat(),
        "type": "page_view",
        "email": "lead@acme.example",
    }
    with django_capture_on_commit_callbacks(execute=True):
        do_ingest_events([event])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_ingest_events([event])
    assert callbacks == []
    assert len(_tasks("rescore_people_task")) == 1


def test_people_created_or_changed_are_rescored(django_capture_on_commit_callbacks: Any) -> None:
    """A profile change alters fit: the person is queued for a rescore."""
    with django_capture_on_commit_callbacks(execute=True):
        do_upsert_people([{"email": "new@acme.example", "title": "VP Operations"}])
    [task] = _tasks("rescore_people_task")
    assert task.args_kwargs["args"][0] == [Person.objects.get().pk]


def test_a_merge_rescores_the_survivor(django_capture_on_commit_callbacks: Any) -> None:
    """Scores are recomputed for the merged person, not inherited from either record."""
    survivor = ideal_person(email="ada@acme.example")
    duplicate = factories.person(email="ada.l@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        do_merge_people(survivor.pk, [duplicate.pk], by=None)
    [task] = _tasks("rescore_people_task")
    assert task.args_kwargs["args"][0] == [survivor.pk]
    Worker(queues=("default",)).run_once()
    assert Person.objects.get(pk=survivor.pk).scored_at is not None


def test_an_import_queues_one_catch_up_rescore_on_the_slow_queue(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """A million imported rows are one watermark rescore, not a million ids."""
    source = tmp_path / "people.csv"
    source.write_text("email,title\nana@acme.example,CEO\nbo@acme.example,CTO\n")
    with django_capture_on_commit_callbacks(execute=True):
        summary = do_import_file("people", source)
    assert summary.created == 2
    [task] = _tasks("rescore_changed_task")
    assert task.queue_name == "slow"
    Worker(queues=("slow",)).run_once()
    assert Person.objects.filter(scored_at__isnull=True).count() == 0


def test_a_dry_run_import_queues_nothing(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """Nothing was stored, so nothing needs scoring."""
    source = tmp_path / "people.csv"
    source.write_text("email\nana@acme.example\n")
    with django_capture_on_commit_callbacks(execute=True):
        do_import_file("people", source, dry_run=True)
    assert not DBTaskResult.objects.exists()


def test_the_nightly_rescore_scores_everyone() -> None:
    """The nightly job is a full rescore as of its run."""
    ideal_person()
    factories.person(email="jo@gmail.com")
    now = timezone.now()
    result = nightly_rescore(now)
    assert result["people"] == 2
    assert set(Person.objects.values_list("scored_at", flat=True)) == {now}


def test_retraining_on_a_thin_history_is_skipped_not_failed() -> None:
    """With nobody decided yet there is nothing to learn; the job says so."""
    factories.person()
    assert "skipped" in weekly_retrain(timezone.now())
    assert "skipped" in nightly_predict(timezone.now())


def test_scoring_jobs_are_registered_on_the_slow_queue() -> None:
    """The heavy jobs run apart from the SLA sweeps, and not the minute after install."""
    jobs = registered_jobs()
    for name, every in (
        ("scoring.nightly_rescore", timedelta(days=1)),
        ("predictions.weekly_retrain", timedelta(days=7)),
        ("predictions.nightly_predict", timedelta(days=1)),
    ):
        job = jobs[name]
        assert (job.every, job.queue, job.start_at_once) == (every, "slow", False)
