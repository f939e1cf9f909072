"""How routing reacts to the other contexts: new MQLs, decisions, and sales activity."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from revloop.core.signals import PersonMove, people_merged, people_moved, sales_activity_logged
from revloop.engine.sla.stops import (
    ATTEMPTS_MADE,
    Attempt,
    Clock,
    ClockEvent,
    EventKind,
    effect,
    event_of_move,
    releases_rep,
)
from revloop.engine.vocabulary import LifecycleStage
from revloop.people.models import Person
from revloop.routing import notify
from revloop.routing.models import Assignment, SlaClock
from revloop.routing.services import do_route_people
from revloop.users.models import User

logger = logging.getLogger(__name__)

#: New MQLs up to this many are routed at once; a bigger batch (a rescore that
#: promotes thousands) is left to the worker's routing job, which runs every 30 s,
#: so that the request or command that promoted them stays fast.
ROUTE_AT_ONCE_UP_TO = 50

_MQL = LifecycleStage.MQL.value


@receiver(people_moved, dispatch_uid="routing.people_moved")
def on_people_moved(sender: Any, moves: list[PersonMove], **kwargs: Any) -> None:
    new_mqls = [m.person_id for m in moves if m.to_stage == _MQL]
    _stop_clocks_on_moves(moves)
    if 0 < len(new_mqls) <= ROUTE_AT_ONCE_UP_TO:
        try:
            do_route_people(new_mqls)
        except Exception:
            # The move itself has committed; the worker's routing job tries again.
            logger.exception("routing %d new MQLs failed; left to the routing job", len(new_mqls))


@dataclass
class _Effects:
    """What a batch of moves does to clocks and assignments, grouped for bulk updates."""

    # (reason, kinds, at) -> people whose running clocks of those kinds stop
    stops: dict[tuple[str, tuple[str, ...], datetime], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # (reason, at) -> people whose open assignment ends
    released: dict[tuple[str, datetime], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    decided: list[tuple[str, PersonMove]] = field(default_factory=list)


def _effects(moves: list[PersonMove]) -> _Effects:
    effects = _Effects()
    for move in moves:
        event = event_of_move(
            move.from_stage, move.to_stage, move.at, by_user=move.user_id is not None
        )
        if event is None:
            continue
        for reason, kinds in _stops(event).items():
            effects.stops[reason, kinds, move.at].append(move.person_id)
        if event.kind is EventKind.ACCEPTED:
            effects.decided.append(("lead.accepted", move))
        elif event.kind is EventKind.REJECTED:
            effects.decided.append(("lead.rejected", move))
        if releases_rep(event):
            # The assignment ends for the reason its clocks stop.
            reason = effect(Clock.FIRST_TOUCH, event).reason
            effects.released[reason, move.at].append(move.person_id)
    return effects


def _stops(event: ClockEvent) -> dict[str, tuple[str, ...]]:
    """The clocks ``event`` stops, by the reason recorded (the engine's one rule)."""
    kinds: defaultdict[str, list[str]] = defaultdict(list)
    for clock in Clock:
        result = effect(clock, event)
        if result.stops:
            kinds[result.reason].append(clock.value)
    return {reason: tuple(sorted(names)) for reason, names in kinds.items()}


def _stop_clocks_on_moves(moves: list[PersonMove]) -> None:
    effects = _effects(moves)
    if not (effects.stops or effects.decided):
        return
    with transaction.atomic():
        for (reason, kinds, at), ids in effects.stops.items():
            for chunk in _chunks(ids):
                SlaClock.objects.filter(
                    person_id__in=chunk, stopped_at__isnull=True, kind__in=kinds
                ).update(stopped_at=at, stop_reason=reason)
        for (reason, at), ids in effects.released.items():
            for chunk in _chunks(ids):
                Assignment.objects.filter(person_id__in=chunk, ended_at__isnull=True).update(
                    ended_at=at, ended_reason=reason
                )
        deciders = {move.user_id for _, move in effects.decided if move.user_id}
        names = dict(User.objects.filter(pk__in=deciders).values_list("pk", "username"))
        for event, move in effects.decided:
            notify.lead_decided(
                event, move.person_id, names.get(move.user_id or 0), move.reason_code
            )


def _chunks(ids: list[int], size: int = 10_000) -> Iterator[list[int]]:
    # SQLite takes at most 32,766 parameters in one statement.
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@receiver(sales_activity_logged, dispatch_uid="routing.sales_activity_logged")
def on_sales_activity(
    sender: Any, person_id: int, user_id: int, kind: str, at: datetime, **kwargs: Any
) -> None:
    """A call, e-mail or meeting by Sales: a contact attempt on the lead's clocks."""
    record_contact_attempts([(person_id, ClockEvent(EventKind.CONTACT_ATTEMPT, at, Attempt(kind)))])


def record_contact_attempts(attempts: list[tuple[int, ClockEvent]]) -> None:
    """Apply contact attempts (person id, event) to the running clocks, in time order."""
    with transaction.atomic():
        for person_id, event in sorted(attempts, key=lambda pair: pair[1].at):
            for clock in Clock:
                result = effect(clock, event)
                running = SlaClock.objects.filter(
                    person_id=person_id, kind=clock.value, stopped_at__isnull=True
                )
                if result.stops:
                    running.update(stopped_at=event.at, stop_reason=result.reason)
                elif result.attempt:
                    running.update(attempts_done=F("attempts_done") + 1)
                    # attempts_made(done, needed), in the database
                    running.filter(attempts_done__gte=F("attempts_needed")).update(
                        stopped_at=event.at, stop_reason=ATTEMPTS_MADE
                    )


@receiver(people_merged, dispatch_uid="routing.people_merged")
def on_people_merged(sender: Any, survivor_ids: list[int], **kwargs: Any) -> None:
    """A merged lead keeps one open assignment: the one of the rep who owns it now.

    Both duplicates may have been routed; the others end (history kept) and their
    clocks stop, so no rep is chased for a lead that is someone else's.
    """
    now = timezone.now()
    merged = ClockEvent(EventKind.MERGED, now)
    for chunk in _chunks(survivor_ids):
        owners = dict(Person.objects.filter(pk__in=chunk).values_list("pk", "owner_id"))
        by_person: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        for pk, person_id, rep_id in (
            Assignment.objects.filter(person_id__in=chunk, ended_at__isnull=True)
            .order_by("-at", "-id")
            .values_list("pk", "person_id", "rep_id")
        ):
            by_person[person_id].append((pk, rep_id))
        ended = []
        for person_id, rows in by_person.items():
            # The owner's latest assignment stays, else the latest of all.
            keep = next((pk for pk, rep_id in rows if rep_id == owners[person_id]), rows[0][0])
            ended += [pk for pk, _ in rows if pk != keep]
        if ended:
            Assignment.objects.filter(pk__in=ended).update(ended_at=now, ended_reason="merged")
            SlaClock.objects.filter(assignment_id__in=ended, stopped_at__isnull=True).update(
                stopped_at=now, stop_reason=effect(Clock.FIRST_TOUCH, merged).reason
            )
