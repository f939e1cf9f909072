"""Parallel clients sending overlapping batches store every event exactly once (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from revloop.activity.models import Touch
from revloop.capture.actions import do_ingest_events
from revloop.people.models import Person


def _batch(start: int, stop: int) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"par-{n}",
            "timestamp": "2026-03-02T09:30:00+00:00",
            "type": "page_view",
            "email": f"shared{n % 5}@acme.example",
            "anonymous_id": f"anon-{n % 3}",
        }
        for n in range(start, stop)
    ]


@pytest.mark.django_db(transaction=True)
def test_overlapping_parallel_batches_store_each_event_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    batches = [_batch(0, 300), _batch(100, 400), _batch(200, 500), _batch(0, 500)]

    def send(batch: list[dict[str, Any]]) -> dict[str, int]:
        try:
            return do_ingest_events(batch).counts
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(batches)) as pool:
        counts = list(pool.map(send, batches))

    assert Touch.objects.count() == 500
    assert sum(c.get("stored", 0) for c in counts) == 500
    assert sum(c.get("duplicate", 0) for c in counts) == sum(map(len, batches)) - 500
    assert Person.objects.count() == 5
    assert not Touch.objects.filter(person__isnull=True).exists()
