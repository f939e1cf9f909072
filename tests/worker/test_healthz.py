"""``/healthz``: the database and a recent worker heartbeat; 503 for a monitor that requires the
worker when there is none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from revloop.worker.actions import do_beat
from revloop.worker.loop import Worker

pytestmark = pytest.mark.django_db


def test_no_worker_ever_is_degraded_and_503_when_required() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == "missing"
    assert Client().get("/healthz", {"worker": "required"}).status_code == 503


def test_a_running_worker_makes_it_healthy_and_a_silent_one_stale() -> None:
    worker = Worker(interval=0.01)
    do_beat(worker.worker_id, worker.queues)  # what each pass of Worker.run does first
    body = Client().get("/healthz").json()
    assert (body["status"], body["worker"]) == ("ok", "ok")
    do_beat(worker.worker_id, worker.queues, now=timezone.now() - timedelta(minutes=5))
    response = Client().get("/healthz", {"worker": "required"})
    assert response.status_code == 503
    assert response.json()["worker"] == "stale"
