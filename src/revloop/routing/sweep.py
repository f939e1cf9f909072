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

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from revloop.contracts.versions import active_contract
from revloop.people.models import Person
from revloop.routing import notify
from revloop.routing.models import ClockKind, SlaBreach, SlaClock
from revloop.routing.services import do_reassign_many
from revloop.routing.synced import credit_synced_attempts

BATCH = 2000
#: A batch with more clocks than this is announced in one message, not one per clock.
ANNOUNCE_EACH_UP_TO = 50
#: Breaching these means the lead was never answered: it goes to someone who will.
#: A missed attempts cadence is escalated, but the rep who is working the lead keeps it.
REASSIGNED_ON_BREACH = (ClockKind.FIRST_TOUCH.value, ClockKind.ACCEPT_OR_REJECT.value)


def sweep_sla_clocks(now: datetime | None = None) -> dict[str, Any]:
    """Send due reminders and record passed deadlines; counts of what this run did."""
    now = now or timezone.now()
    # A call synced before its deadline keeps the promise: credit it before breaching.
    touched = credit_synced_attempts(now)
    breached: Counter[str] = Counter()
    reassigned = 0
    while True:
        batch = _breach_batch(now)
        if batch is None:
            break
        kinds, moved = batch
        breached.update(kinds)
        reassigned += moved
    reminded = 0
    while True:
        sent = _remind_batch(now)
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


_CLOCK_FIELDS = ("pk", "person_id", "kind", "due_at", "rep_id", "rep__username", "rep__manager_id")


def _remind_batch(now: datetime) -> int:
    with transaction.atomic():
        rows = list(
            SlaClock.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                stopped_at__isnull=True,
                reminded_at__isnull=True,
                breached_at__isnull=True,
                remind_at__lte=now,
                due_at__gt=now,
            )
            .order_by("remind_at", "pk")
            .values(*_CLOCK_FIELDS)[:BATCH]
        )
        if not rows:
            return 0
        SlaClock.objects.filter(pk__in=[row["pk"] for row in rows]).update(reminded_at=now)
        if len(rows) <= ANNOUNCE_EACH_UP_TO:
            for row in rows:
                notify.sla_warning(_described(row))
        else:
            notify.sla_many("sla.warning", [_described(row) for row in rows])
    return len(rows)


def _breach_batch(now: datetime) -> tuple[list[str], int] | None:
    _, contract = active_contract()
    on_breach = contract.sla.sales
    due = SlaClock.objects.filter(
        stopped_at__isnull=True, breached_at__isnull=True, due_at__lte=now
    )
    with transaction.atomic():
        # Claim whole leads, not single clocks: re-assigning a lead stops all its
        # clocks, so two sweepers holding clocks of one lead would wait on each other.
        people = list(
            Person.objects.select_for_update(skip_locked=True)
            .filter(pk__in=due.values("person_id"))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        rows = list(
            due.select_for_update(of=("self",))
            .filter(person_id__in=people)
            .order_by("due_at", "pk")
            .values(*_CLOCK_FIELDS)
        )
        if not rows:
            return None
        escalate = on_breach.escalate_to_manager
        by_manager: dict[int | None, list[int]] = defaultdict(list)
        for row in rows:
            by_manager[row["rep__manager_id"] if escalate else None].append(row["pk"])
        for manager_id, ids in by_manager.items():
            SlaClock.objects.filter(pk__in=ids).update(breached_at=now, escalated_to_id=manager_id)
        reasons: dict[int, str] = {}
        if on_breach.reassign:
            for row in rows:  # by due time: the first promise missed names the reason
                if row["kind"] in REASSIGNED_ON_BREACH:
                    reasons.setdefault(row["person_id"], f"sla_breach:{row['kind']}")
        new_reps = do_reassign_many(reasons, now)
        managers = _usernames({row["rep__manager_id"] for row in rows} - {None})
        breaches = []
        announced = []
        for row in rows:
            manager = row["rep__manager_id"] if escalate else None
            moved = new_reps.get(row["person_id"]) if row["kind"] in REASSIGNED_ON_BREACH else None
            breaches.append(
                SlaBreach(
                    clock_id=row["pk"],
                    person_id=row["person_id"],
                    rep_id=row["rep_id"],
                    kind=row["kind"],
                    due_at=row["due_at"],
                    detected_at=now,
                    escalated_to_id=manager,
                    reassigned_to_id=moved.pk if moved else None,
                )
            )
            announced.append(
                {
                    **_described(row),
                    "escalated_to": managers.get(manager) if manager else None,
                    "reassigned_to": moved.username if moved else None,
                }
            )
        if len(announced) <= ANNOUNCE_EACH_UP_TO:
            for clock in announced:
                notify.sla_breached(clock)
        else:
            notify.sla_many("sla.breached", announced)
        SlaBreach.objects.bulk_create(breaches)
    return [row["kind"] for row in rows], len(new_reps)


def _usernames(ids: set[Any]) -> dict[int, str]:
    from revloop.users.models import User

    return dict(User.objects.filter(pk__in=list(ids)).values_list("pk", "username"))


def _described(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "clock_id": row["pk"],
        "person_id": row["person_id"],
        "kind": row["kind"],
        "rep": row["rep__username"],
        "due_at": row["due_at"],
    }
