"""The SLA sweep: reminders before a deadline, a breach record once it passes.

Each step is claimed before it is announced: the sweep picks due clocks (for a
breach, the leads that have one) with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite
serialises writers anyway) and stamps
``reminded_at`` / ``breached_at`` in the same transaction as the breach record and the
webhook (delivered on commit). A second worker skips what the first holds, and a
restarted worker finds the stamps and never sends anything twice; it catches up on
everything that fell due while it was down, in one pass.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db.models import Min
from django.utils import timezone

from revloop.routing.actions import do_breach_clocks, do_credit_synced_attempts, do_remind_clocks
from revloop.routing.models import SlaClock


def sweep_sla_clocks(now: datetime | None = None) -> dict[str, Any]:
    """Send due reminders and record passed deadlines; counts of what this run did."""
    now = now or timezone.now()
    # A call synced before its deadline keeps the promise: credit it before breaching.
    touched = do_credit_synced_attempts(now)
    breached: Counter[str] = Counter()
    reassigned = 0
    while True:
        batch = do_breach_clocks(now)
        if batch is None:
            break
        kinds, moved = batch
        breached.update(kinds)
        reassigned += moved
    reminded = 0
    while True:
        sent = do_remind_clocks(now)
        if not sent:
            break
        reminded += sent
    return {
        "reminded": reminded,
        "breached": sum(breached.values()),
        "breached_by_kind": dict(breached),
        "reassigned": reassigned,
        "touched_by_synced_attempts": touched,
    }


def next_sla_moment(after: datetime) -> datetime | None:
    """The first deadline or reminder time later than ``after`` of a clock still running.

    Two reads along the partial indexes of open deadlines and unsent reminders, so
    the worker can ask every second on a company with a million clocks.
    """
    deadline = SlaClock.objects.filter(
        stopped_at__isnull=True, breached_at__isnull=True, due_at__gt=after
    ).aggregate(at=Min("due_at"))["at"]
    reminder = SlaClock.objects.filter(
        stopped_at__isnull=True, reminded_at__isnull=True, remind_at__gt=after
    ).aggregate(at=Min("remind_at"))["at"]
    return min((t for t in (deadline, reminder) if t is not None), default=None)
