from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from revloop.webhooks.actions import deliver_orphans
from revloop.worker.registry import periodic


@periodic(every=timedelta(minutes=1), name="webhooks.deliver_orphans", queue="webhooks")
def deliver_orphaned_webhooks(now: datetime) -> dict[str, Any] | None:
    """A send lost with a killed worker goes out a couple of minutes late, not never."""
    tried = deliver_orphans(now)
    return {"tried": tried} if tried else None
