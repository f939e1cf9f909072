"""Outgoing webhooks: store a delivery with the change that caused it, send after commit.

:func:`emit` writes one :class:`WebhookDelivery` per active endpoint subscribed to
the event, in the caller's transaction, and enqueues the send on commit: a rolled
back change sends nothing. :func:`deliver` claims the delivery with a conditional
UPDATE (so two workers never send it twice), posts it, and on failure schedules the
next attempt with exponential backoff on the task queue (``run_after``). A sweep
picks up deliveries whose queued send was lost (a worker killed mid-send).

The body is one JSON object that a Slack incoming webhook accepts as it is
(``text``) and that a program reads (``event``, ``id``, ``created_at``, ``data``);
see :mod:`revloop.webhooks.signing` for how a receiver checks the signature.
"""

from __future__ import annotations

import json
import logging
import random
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from revloop.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from revloop.engine.vocabulary import Role
from revloop.users.actions import record_audit
from revloop.users.models import User
from revloop.webhooks.models import (
    EVENTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    new_secret,
)
from revloop.webhooks.signing import sign
from revloop.webhooks.targets import pinned_opener, resolve_public

logger = logging.getLogger(__name__)

__all__ = ["EVENTS", "deliver", "do_add_endpoint", "emit", "send_test"]

MAX_ATTEMPTS = 8
#: The first retry waits this long; each further one twice as long (30 s … 32 min).
FIRST_RETRY = timedelta(seconds=30)
#: Up to this fraction is added at random, so endpoints that failed together
#: are not all retried in the same second.
JITTER = 0.2
TIMEOUT_SECONDS = 5.0
#: A delivery being sent is held this long; a worker that dies lets it go after.
CLAIM = timedelta(seconds=60)
#: A pending delivery this far past its due time has lost its queued send.
ORPHANED_AFTER = timedelta(minutes=2)
TEST_EVENT = "webhook.test"
_USER_AGENT = "revloop-webhooks/1"


def emit(event: str, *, text: str, data: dict[str, Any]) -> None:
    """Queue ``event`` for every active endpoint subscribed to it, sent after commit."""
    if event not in EVENTS:
        raise InvalidInputError(f"unknown webhook event {event!r}; one of {', '.join(EVENTS)}")
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if event in e.events]
    if not endpoints:
        return
    plain = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    now = timezone.now()
    deliveries = [_new_delivery(endpoint, event, text, plain, now) for endpoint in endpoints]
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(deliveries)
        transaction.on_commit(partial(_enqueue, [str(d.id) for d in deliveries]))


def _new_delivery(
    endpoint: WebhookEndpoint, event: str, text: str, data: Any, now: datetime
) -> WebhookDelivery:
    delivery_id = uuid.uuid4()
    payload = {
        "text": text,
        "event": event,
        "id": str(delivery_id),
        "created_at": now.isoformat(),
        "data": data,
    }
    return WebhookDelivery(
        id=delivery_id,
        endpoint=endpoint,
        event=event,
        payload=payload,
        created_at=now,
        next_attempt_at=now,
    )


def _enqueue(ids: list[str], run_after: datetime | None = None) -> None:
    from revloop.webhooks.tasks import deliver_webhook

    task = deliver_webhook if run_after is None else deliver_webhook.using(run_after=run_after)
    for delivery_id in ids:
        task.enqueue(delivery_id)


@dataclass(frozen=True)
class Attempt:
    delivery: str
    outcome: str  # delivered, retry, failed, or skipped (not due, or someone else's)
    status_code: int | None = None
    error: str = ""
    next_attempt_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivery": self.delivery,
            "outcome": self.outcome,
            "status_code": self.status_code,
            "error": self.error,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
        }


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s times 2^(n-1), plus jitter."""
    base = FIRST_RETRY * (2 ** (attempts - 1))
    jitter = (rng or random).random() * JITTER
    return base * (1 + jitter)


def deliver(delivery_id: str) -> Attempt:
    """Send one pending, due delivery once; schedule a retry or give up on failure."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return Attempt(delivery_id, "skipped")
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    status_code, error = post(delivery.endpoint, delivery, now)
    done = timezone.now()
    if not error:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=done,
            claimed_until=None,
            next_attempt_at=None,
            last_status_code=status_code,
            last_error="",
        )
        return Attempt(delivery_id, "delivered", status_code)
    if delivery.attempts >= MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED,
            claimed_until=None,
            next_attempt_at=None,
            last_status_code=status_code,
            last_error=error,
        )
        logger.warning(
            "webhook %s to %s failed for good: %s", delivery_id, delivery.endpoint, error
        )
        return Attempt(delivery_id, "failed", status_code, error)
    next_at = done + backoff(delivery.attempts)
    # The queue is in this database: the retry and the row that asks for it commit together.
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            claimed_until=None,
            next_attempt_at=next_at,
            last_status_code=status_code,
            last_error=error,
        )
        _enqueue([delivery_id], next_at)
    return Attempt(delivery_id, "retry", status_code, error, next_at)


def post(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime
) -> tuple[int | None, str]:
    """POST the signed body; the status code and an error ("" when it was a 2xx)."""
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked when the endpoint is added
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": _USER_AGENT,
            "X-Revloop-Event": delivery.event,
            "X-Revloop-Delivery": str(delivery.id),
            "X-Revloop-Timestamp": str(timestamp),
            "X-Revloop-Signature": sign(endpoint.secret, timestamp, body),
        },
    )
    try:
        # Resolved and checked now, and connected to as checked: a name that pointed
        # somewhere public when the endpoint was saved may not point inside today.
        address = resolve_public(endpoint.url, allow_private=endpoint.allow_private)
    except InvalidInputError as exc:
        return None, exc.message
    try:
        with pinned_opener(address).open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"


def deliver_orphans(now: datetime, *, limit: int = 100) -> int:
    """Send pending deliveries long past due whose queued send was lost; how many tried."""
    ids = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now - ORPHANED_AFTER
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    for delivery_id in ids:
        deliver(str(delivery_id))
    return len(ids)


def check_endpoint(url: str, events: list[str]) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"url: {url!r} is not an http(s) URL")
    wanted = list(dict.fromkeys(e.strip() for e in events if e.strip()))
    unknown = [e for e in wanted if e not in EVENTS]
    if unknown or not wanted:
        raise InvalidInputError(
            f"events: {', '.join(unknown) or '(none)'} — choose from {', '.join(EVENTS)}"
        )
    return wanted


def do_add_endpoint(
    url: str,
    events: list[str],
    *,
    secret: str | None = None,
    description: str = "",
    by: User | None = None,
    allow_private: bool = False,
) -> WebhookEndpoint:
    wanted = check_endpoint(url, events)
    if secret is not None and len(secret) < 16:
        raise InvalidInputError("secret: use at least 16 characters")
    if allow_private:
        check_can_allow_private(by)
    resolve_public(url, allow_private=allow_private)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url,
            events=wanted,
            secret=secret or new_secret(),
            description=description,
            created_by=by,
            allow_private=allow_private,
        )
        if allow_private:
            _record_private(by, endpoint)
    return endpoint


def check_can_allow_private(by: User | None) -> None:
    """Only an admin (or the operator at the console) lets webhooks into the network."""
    if by is not None and not (by.is_active and by.has_role(Role.ADMIN)):
        raise ForbiddenError("only an admin may allow a webhook to a private address")


def do_allow_private_target(by: User | None, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Let ``endpoint`` reach a private address (an intranet server); admins only."""
    check_can_allow_private(by)
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(allow_private=True)
        _record_private(by, endpoint)
    endpoint.refresh_from_db()
    return endpoint


def _record_private(by: User | None, endpoint: WebhookEndpoint) -> None:
    record_audit(
        by,
        "webhook.private_allowed",
        object_type="webhook",
        object_id=endpoint.pk,
        detail={"url": endpoint.url},
    )


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.get(pk=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise NotFoundError(f"no webhook endpoint {endpoint_id}") from None


def send_test(endpoint: WebhookEndpoint) -> Attempt:
    """Send a test event to one endpoint now, logged like any delivery, without retries."""
    now = timezone.now()
    delivery = _new_delivery(
        endpoint,
        TEST_EVENT,
        f"revloop test event for {endpoint.url}: this endpoint receives "
        f"{', '.join(endpoint.events)}.",
        {"endpoint": endpoint.pk, "events": endpoint.events},
        now,
    )
    delivery.attempts = 1
    delivery.next_attempt_at = None
    delivery.save()
    status_code, error = post(endpoint, delivery, now)
    delivery.status = DeliveryStatus.FAILED if error else DeliveryStatus.DELIVERED
    delivery.delivered_at = None if error else timezone.now()
    delivery.last_status_code = status_code
    delivery.last_error = error
    delivery.save(update_fields=["status", "delivered_at", "last_status_code", "last_error"])
    return Attempt(str(delivery.id), "failed" if error else "delivered", status_code, error)
