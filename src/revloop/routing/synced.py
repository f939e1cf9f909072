"""Contact attempts that arrive as synced touches: a dialler's call, a CRM's meeting.

A rep's call logged in revloop reaches the clocks at once (``sales_activity_logged``).
The same call synced through the events API or a CSV import is a touch of type
``call``; capture stores it without knowing about clocks, and the sweep credits it
here, before it looks for passed deadlines, so a call made in time never counts as
a breach. The rule that decides is the engine's, as for logged activities.

Each attempts clock remembers how many synced attempts it has counted
(``synced_attempts``), so a touch is counted once however often the sweep runs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import F, Min, Q

from revloop.activity.models import Touch
from revloop.engine.sla.stops import (
    ATTEMPTS_MADE,
    Clock,
    ClockEvent,
    EventKind,
    attempts_made,
    effect,
    event_of_touch,
)
from revloop.engine.vocabulary import Channel, TouchType
from revloop.routing.models import SlaClock

#: Touches that may be a contact attempt (``attempt_of_touch`` has the last word).
SYNCED_ATTEMPTS = Q(type__in=(TouchType.CALL, TouchType.MEETING)) | Q(
    channel=Channel.SALES_OUTREACH, type__in=(TouchType.EMAIL_OPEN, TouchType.EMAIL_CLICK)
)
_CREDITED = (Clock.FIRST_TOUCH.value, Clock.ATTEMPTS.value)


def credit_synced_attempts(now: datetime) -> int:
    """Apply synced attempts to the running first-touch and attempts clocks.

    Returns how many first-touch clocks they stopped.
    """
    running = SlaClock.objects.filter(kind__in=_CREDITED, stopped_at__isnull=True)
    oldest = running.aggregate(at=Min("started_at"))["at"]
    if oldest is None:
        return 0
    attempts: defaultdict[int, list[ClockEvent]] = defaultdict(list)
    for person_id, at, kind, channel in (
        Touch.objects.filter(
            SYNCED_ATTEMPTS,
            person_id__in=running.values("person_id"),
            occurred_at__gte=oldest,
            occurred_at__lte=now,
        )
        .order_by("occurred_at", "pk")
        .values_list("person_id", "occurred_at", "type", "channel")
    ):
        event = event_of_touch(kind, channel, at)
        if event.kind is EventKind.CONTACT_ATTEMPT:
            attempts[person_id].append(event)
    if not attempts:
        return 0
    touched = 0
    with transaction.atomic():
        clocks = (
            running.select_for_update(skip_locked=True)
            .filter(person_id__in=list(attempts))
            .order_by("pk")
            .values_list(
                "pk", "person_id", "kind", "started_at", "attempts_done", "attempts_needed",
                "synced_attempts",
            )
        )  # fmt: skip
        for pk, person_id, kind, started_at, done, needed, credited in clocks:
            since = [e for e in attempts[person_id] if e.at >= started_at]
            if len(since) <= credited:
                continue
            stop_at, reason, added = _credit(Clock(kind), since[credited:], done, needed)
            update: dict[str, object] = {"synced_attempts": len(since)}
            if added:
                update["attempts_done"] = F("attempts_done") + added
            if stop_at is not None:
                update |= {"stopped_at": stop_at, "stop_reason": reason}
                touched += kind == Clock.FIRST_TOUCH
            SlaClock.objects.filter(pk=pk).update(**update)
    return touched


def _credit(
    clock: Clock, fresh: list[ClockEvent], done: int, needed: int
) -> tuple[datetime | None, str, int]:
    """Walk ``fresh`` attempts through the rule: (stopped at, reason, attempts added)."""
    added = 0
    for event in fresh:
        result = effect(clock, event)
        if result.stops:
            return event.at, result.reason, added
        if result.attempt:
            added += 1
            if attempts_made(done + added, needed):
                return event.at, ATTEMPTS_MADE, added
    return None, "", added
