"""Sending a webhook delivery is a task on its own queue, so slow receivers wait there."""

from __future__ import annotations

from revloop.webhooks.actions import deliver
from revloop.worker.compat import task


@task(queue_name="webhooks")
def deliver_webhook(delivery_id: str) -> dict[str, object]:
    return deliver(delivery_id).to_dict()
