"""Contact attempts that arrive as synced touches: a dialler's call, a CRM's meeting.

A rep's call logged in revloop reaches the clocks at once (``sales_activity_logged``).
The same call synced through the events API or a CSV import is a touch of type
``call``; capture stores it without knowing about clocks, and the sweep credits it
(``actions.do_credit_synced_attempts``) before it looks for passed deadlines, so a
call made in time never counts as a breach. The rule that decides is the engine's, as
for logged activities.

Each attempts clock remembers how many synced attempts it has counted
(``synced_attempts``), so a touch is counted once however often the sweep runs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Min, Q, QuerySet

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
#: The clocks a synced attempt counts on.
CREDITED = (Clock.FIRST_TOUCH.value, Clock.ATTEMPTS.value)


def attempts_since_oldest(
    running: QuerySet[SlaClock], now: datetime
) -> dict[int, list[ClockEvent]]:
    """Per person with a running clock among ``running``, the synced contact attempts
    since the oldest of those clocks started, in time order."""
    oldest = running.aggregate(at=Min("started_at"))["at"]
    if oldest is None:
        return {}
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
    return dict(attempts)


def credit(
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
