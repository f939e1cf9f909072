"""Webhooks: signed Slack-compatible bodies, sent after commit, retried with backoff."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, connections, transaction

from revloop.core.errors import InvalidInputError
from revloop.webhooks.actions import (
    CLAIM,
    FIRST_RETRY,
    JITTER,
    MAX_ATTEMPTS,
    ORPHANED_AFTER,
    deliver,
    deliver_orphans,
    emit,
)
from revloop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from revloop.webhooks.signing import verify
from revloop.worker.loop import Worker

from .conftest import SECRET, START, Receiver

pytestmark = pytest.mark.django_db


def _emit_committed(capture: Any, event: str = "lead.assigned") -> None:
    with capture(execute=True):
        emit(
            event,
            text="Ada Lovelace (Acme) is assigned to Rob; first touch due by 11:00.",
            data={"person_id": 7, "rep": "rob", "due_at": START + timedelta(hours=2)},
        )


def _run_worker() -> None:
    Worker(queues=("webhooks",)).run_once()


def test_a_delivery_is_signed_and_slack_readable(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The body has Slack's ``text`` plus the event data; the signature verifies with the secret."""
    _emit_committed(django_capture_on_commit_callbacks)
    _run_worker()

    [got] = receiver.requests
    body = got.json
    assert body["text"].startswith("Ada Lovelace (Acme) is assigned to Rob")
    assert body["event"] == "lead.assigned"
    assert body["data"] == {"person_id": 7, "rep": "rob", "due_at": "2026-03-02T11:00:00Z"}
    delivery = WebhookDelivery.objects.get()
    assert body["id"] == str(delivery.id)
    assert got.headers["X-Revloop-Event"] == "lead.assigned"
    assert got.headers["X-Revloop-Delivery"] == str(delivery.id)
    assert got.headers["Content-Type"] == "application/json"
    timestamp = int(got.headers["X-Revloop-Timestamp"])
    assert timestamp == int(START.timestamp())
    assert verify(SECRET, timestamp, got.body, got.headers["X-Revloop-Signature"])
    assert not verify(
        "another-secret-0123456789", timestamp, got.body, got.headers["X-Revloop-Signature"]
    )
    assert not verify(SECRET, timestamp + 1, got.body, got.headers["X-Revloop-Signature"])
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at == START


def test_only_active_endpoints_subscribed_to_the_event_get_it(
    endpoint: WebhookEndpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    """An endpoint not subscribed, or switched off, gets no delivery."""
    WebhookEndpoint.objects.create(url=receiver.url, events=["lead.assigned"], active=False)
    _emit_committed(django_capture_on_commit_callbacks, "lead.rejected")
    assert not WebhookDelivery.objects.exists()
    _emit_committed(django_capture_on_commit_callbacks, "sla.breached")
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [endpoint.pk]


def _assign_and_fail() -> None:
    try:
        with transaction.atomic():
            emit("lead.assigned", text="assigned", data={})
            raise RuntimeError("the assignment failed")
    except RuntimeError:
        pass


def test_nothing_is_stored_or_sent_for_a_rolled_back_change(
    endpoint: WebhookEndpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    """The delivery is part of the caller's transaction: a rollback takes it away unsent."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _assign_and_fail()
    assert callbacks == []
    _run_worker()
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_an_unknown_event_is_refused(endpoint: WebhookEndpoint) -> None:
    """A typo in an event name fails loudly rather than reaching nobody."""
    with pytest.raises(InvalidInputError, match="unknown webhook event"):
        emit("lead.assinged", text="x", data={})


def test_failures_are_retried_with_exponential_backoff(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A 500 is retried after 30 s, then 60 s (plus jitter); not earlier; then delivered."""
    receiver.statuses = [500, 503, 200]
    _emit_committed(django_capture_on_commit_callbacks)
    _run_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert "HTTP 500" in delivery.last_error
    first_wait = delivery.next_attempt_at - START
    assert FIRST_RETRY <= first_wait <= FIRST_RETRY * (1 + JITTER)

    _run_worker()
    assert len(receiver.requests) == 1, "not retried before its time"

    clock.shift(first_wait)
    _run_worker()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    second_wait = delivery.next_attempt_at - (START + first_wait)
    assert 2 * FIRST_RETRY <= second_wait <= 2 * FIRST_RETRY * (1 + JITTER)

    clock.shift(second_wait)
    _run_worker()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 3
    assert len(receiver.requests) == 3
    assert len({r.headers["X-Revloop-Delivery"] for r in receiver.requests}) == 1


def test_a_delivery_fails_for_good_after_the_last_attempt(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """After MAX_ATTEMPTS failures the delivery is failed and no longer tried."""
    receiver.statuses = [500]
    _emit_committed(django_capture_on_commit_callbacks)
    for _ in range(MAX_ATTEMPTS + 2):
        _run_worker()
        clock.shift(timedelta(hours=2))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_an_error_to_retry(
    db: None, clock: time_machine.Coordinates, django_capture_on_commit_callbacks: Any
) -> None:
    """A refused connection is recorded like a bad status, and retried."""
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/none", events=["lead.assigned"])
    _emit_committed(django_capture_on_commit_callbacks)
    _run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error


def test_a_redirect_is_not_followed(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The body goes to the configured URL only; a redirect counts as a failure."""
    receiver.statuses = [302]
    receiver.headers_out = {"Location": "http://127.0.0.1:9/elsewhere"}
    _emit_committed(django_capture_on_commit_callbacks)
    _run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_a_pending_delivery_whose_send_was_lost_is_picked_up(
    endpoint: WebhookEndpoint, receiver: Receiver, clock: time_machine.Coordinates
) -> None:
    """A worker killed between commit and send leaves a pending row; the sweep sends it."""
    emit("lead.assigned", text="assigned", data={})  # on_commit never runs: the send is lost
    assert deliver_orphans(START) == 0, "not orphaned while it may still be queued"
    clock.shift(timedelta(minutes=5))
    assert deliver_orphans(START + timedelta(minutes=5)) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_a_delivery_claimed_by_one_worker_is_not_sent_by_another(
    endpoint: WebhookEndpoint, receiver: Receiver, clock: time_machine.Coordinates
) -> None:
    """Sending twice in a row sends once: the second caller finds it delivered."""
    emit("lead.assigned", text="assigned", data={})
    delivery_id = str(WebhookDelivery.objects.get().id)
    assert deliver(delivery_id).outcome == "delivered"
    assert deliver(delivery_id).outcome == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_a_delivery_once(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    """Eight workers racing for the same due delivery on a server database send it once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    emit("lead.assigned", text="assigned", data={})
    delivery_id = str(WebhookDelivery.objects.get().id)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait()
            outcomes.append(deliver(delivery_id).outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["delivered"] + ["skipped"] * 7
    assert len(receiver.requests) == 1


def test_a_send_cut_off_by_a_killed_worker_is_sent_once_after_its_claim_expires(
    endpoint: WebhookEndpoint, receiver: Receiver, clock: time_machine.Coordinates
) -> None:
    """A worker killed mid-send holds the delivery until its claim lapses; then one send."""
    emit("lead.assigned", text="assigned", data={})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=START + CLAIM, attempts=1
    )  # what a worker leaves behind when it dies between claiming and sending

    clock.shift(timedelta(seconds=30))
    assert deliver(str(delivery.pk)).outcome == "skipped", "still held by its claim"
    clock.shift(ORPHANED_AFTER)
    assert deliver_orphans(START + timedelta(seconds=30) + ORPHANED_AFTER) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert len(receiver.requests) == 1
