"""The worker's own state: its heartbeat, which says it is alive and going round."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from revloop.worker.models import WorkerHeartbeat


def do_beat(worker: str, queues: Sequence[str], now: datetime | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"queues": list(queues), "beat_at": now or timezone.now()}
    )


def last_heartbeat() -> datetime | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def worker_alive(interval: float, now: datetime | None = None) -> tuple[bool, datetime | None]:
    """Whether some worker went round within three of its intervals (a minute at least)."""
    beat = last_heartbeat()
    window = timedelta(seconds=max(60.0, 3 * interval))
    return beat is not None and (now or timezone.now()) - beat <= window, beat
