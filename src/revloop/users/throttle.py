"""Rate limits that hold across every web worker: token buckets in the database.

A bucket holds up to ``burst`` requests and refills at ``rate`` per second. Each
request takes one; an empty bucket answers how long until the next one is there
(the ``Retry-After`` of a 429).

Why the database and not Django's cache: the embedded default runs several gunicorn
workers and no cache server, a local-memory cache is per worker (each would allow the
full rate), and the database cache backend's ``incr`` is a read then a write that two
workers can interleave. A row per key, read under ``SELECT … FOR UPDATE`` (PostgreSQL)
or inside SQLite's immediate write transaction, is exact, and it costs one small write
per request on paths (ingestion, failed tokens) that write anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from revloop.core.errors import RevloopError
from revloop.users.models import RateBucket


class ThrottledError(RevloopError):
    code = "throttled"
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        #: Whole seconds until a request would be taken again (at least 1).
        self.retry_after = max(1, int(retry_after + 0.999))


@dataclass(frozen=True, slots=True)
class Limit:
    rate: float  # requests refilled per second
    burst: float  # the most a bucket holds


def ingest_limit() -> Limit:
    return Limit(settings.REVLOOP_INGEST_RATE, settings.REVLOOP_INGEST_BURST)


def token_failure_limit() -> Limit:
    # A client may get a token wrong a few times (a rotated secret), not guess at scale.
    return Limit(
        settings.REVLOOP_TOKEN_FAILURES_PER_MINUTE / 60, settings.REVLOOP_TOKEN_FAILURES_BURST
    )


def _refilled(bucket: RateBucket, limit: Limit, now: datetime) -> float:
    elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
    return min(limit.burst, bucket.tokens + elapsed * limit.rate)


def take(key: str, limit: Limit, now: datetime | None = None) -> float:
    """Take one request from ``key``'s bucket: 0 when allowed, else seconds to wait."""
    now = now or timezone.now()
    with transaction.atomic():
        bucket = RateBucket.objects.select_for_update().filter(key=key).first()
        if bucket is None:
            try:
                with transaction.atomic():
                    RateBucket.objects.create(key=key, tokens=limit.burst - 1, updated_at=now)
                return 0.0
            except IntegrityError:
                # Another worker made it first: take from theirs.
                bucket = RateBucket.objects.select_for_update().get(key=key)
        tokens = _refilled(bucket, limit, now)
        if tokens < 1:
            return (1 - tokens) / limit.rate
        RateBucket.objects.filter(pk=bucket.pk).update(tokens=tokens - 1, updated_at=now)
    return 0.0


def wait_for(key: str, limit: Limit, now: datetime | None = None) -> float:
    """Seconds until ``key`` may take a request (0: now), without taking one."""
    bucket = RateBucket.objects.filter(key=key).first()
    if bucket is None:
        return 0.0
    tokens = _refilled(bucket, limit, now or timezone.now())
    return 0.0 if tokens >= 1 else (1 - tokens) / limit.rate


def client_address(meta: dict[str, object]) -> str:
    """The client's address as the web server saw it (a proxy's own header is not trusted)."""
    return str(meta.get("REMOTE_ADDR") or "unknown")
