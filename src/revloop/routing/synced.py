"""Contact attempts that arrive as synced touches: a dialler's call, a CRM's meeting.

A rep's call logged in revloop reaches the clocks at once (``sales_activity_logged``).
The same call synced through the events API or a CSV import is a touch of type
``call``; capture stores it without knowing about clocks, and the sweep credits it
here, before it looks for passed deadlines, so a call made in time never counts as
a breach. The rule that decides is the engine's, as for logged activities.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Min, Q

from revloop.activity.models import Touch
from revloop.engine.sla.stops import Clock, EventKind, effect, event_of_touch
from revloop.engine.vocabulary import Channel, TouchType
from revloop.routing.models import SlaClock

#: Touches that may be a contact attempt (``attempt_of_touch`` has the last word).
SYNCED_ATTEMPTS = Q(type__in=(TouchType.CALL, TouchType.MEETING)) | Q(
    channel=Channel.SALES_OUTREACH, type__in=(TouchType.EMAIL_OPEN, TouchType.EMAIL_CLICK)
)


def credit_synced_attempts(now: datetime) -> int:
    """Stop the running first-touch clocks that a synced attempt answered; how many."""
    running = SlaClock.objects.filter(kind=Clock.FIRST_TOUCH.value, stopped_at__isnull=True)
    oldest = running.aggregate(at=Min("started_at"))["at"]
    if oldest is None:
        return 0
    attempts: defaultdict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
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
        attempts[person_id].append((at, kind, channel))
    if not attempts:
        return 0
    stopped = 0
    with transaction.atomic():
        clocks = (
            running.select_for_update(skip_locked=True)
            .filter(person_id__in=list(attempts))
            .order_by("pk")
            .values_list("pk", "person_id", "started_at")
        )
        for pk, person_id, started_at in clocks:
            for at, kind, channel in attempts[person_id]:
                event = event_of_touch(kind, channel, at)
                if at < started_at or event.kind is not EventKind.CONTACT_ATTEMPT:
                    continue
                result = effect(Clock.FIRST_TOUCH, event)
                stopped += SlaClock.objects.filter(pk=pk, stopped_at__isnull=True).update(
                    stopped_at=at, stop_reason=result.reason
                )
                break
    return stopped
