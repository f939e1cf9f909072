"""When each Sales promise stops: one rule for the live clocks and the replayed history.

An assignment runs three clocks (see ``Clock``). What happens to a lead afterwards
arrives as a ``ClockEvent``; :func:`effect` says, for one clock and one event, whether
the clock stops, with which recorded reason, whether the promise was *kept* by it,
and whether the event is one more contact attempt. Routing's signal receivers apply
it to running clocks as events happen; the history backfill applies it through
:func:`replay` to events read from the database. Both therefore agree by construction.

The rules:

* **First touch** stops only at a real contact attempt by Sales: a call, e-mail or
  meeting, logged by the rep or synced from a dialler or CRM. Accepting the lead is
  a decision, not a touch: a rep who accepts and never calls misses the promise. A
  marketing touch (the person clicks an e-mail, visits a page) stops nothing.
* **Accept or reject** stops at the verdict: accepting or rejecting keeps it.
* **Attempts** counts contact attempts and stops when the contract's number is made.
* Every clock ends (stopped, but neither kept nor missed) when the lead leaves the
  rep's queue in any other way: rejected (for the touch and attempts promises), moved
  on or back by a rule or a forward move, re-assigned, or merged into a duplicate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from revloop.engine.vocabulary import Channel, LifecycleStage, TouchType


class Clock(StrEnum):
    """The promises an assignment starts (``SlaClock.kind``)."""

    FIRST_TOUCH = "first_touch"
    ATTEMPTS = "attempts"
    ACCEPT_OR_REJECT = "accept_or_reject"


class EventKind(StrEnum):
    #: A call, e-mail or meeting by Sales, logged in revloop or synced.
    CONTACT_ATTEMPT = "contact_attempt"
    #: Anything the person did that is not Sales reaching out (a click, a visit, an open).
    MARKETING_TOUCH = "marketing_touch"
    #: MQL → SAL by a rep.
    ACCEPTED = "accepted"
    #: MQL → out of the open stages, by a user.
    REJECTED = "rejected"
    #: Any other move out of MQL / SAL (by a rule, or forward to SQL and beyond).
    LEFT_QUEUE = "left_queue"
    #: The lead went to another rep; the new assignment starts clocks of its own.
    REASSIGNED = "reassigned"
    #: The lead was merged into a duplicate whose assignment is kept.
    MERGED = "merged"


class Attempt(StrEnum):
    """How Sales reached out."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"


@dataclass(frozen=True, slots=True)
class ClockEvent:
    kind: EventKind
    at: dt.datetime
    #: For a contact attempt: call, email or meeting.
    attempt: Attempt | None = None
    #: For a move out of the queue: the stage the lead went to.
    to_stage: str = ""

    def __post_init__(self) -> None:
        if (self.kind is EventKind.CONTACT_ATTEMPT) != (self.attempt is not None):
            raise ValueError("a contact attempt, and only one, names how Sales reached out")
        if self.kind is EventKind.LEFT_QUEUE and not self.to_stage:
            raise ValueError("a move out of the queue names the stage the lead went to")


@dataclass(frozen=True, slots=True)
class Effect:
    """What one event does to one running clock."""

    #: The clock stops at the event's moment.
    stops: bool = False
    #: The recorded ``stop_reason`` (empty when it does not stop).
    reason: str = ""
    #: The stop keeps the promise (met when in time); otherwise the promise just ended.
    keeps: bool = False
    #: The event is one more contact attempt on the attempts clock.
    attempt: bool = False


NOTHING = Effect()
#: The attempts clock's reason once the contract's number of attempts is made.
ATTEMPTS_MADE = "attempts_made"

_OPEN = frozenset({LifecycleStage.MQL.value, LifecycleStage.SAL.value})


def _contact_attempt(clock: Clock, event: ClockEvent) -> Effect:
    assert event.attempt is not None
    if clock is Clock.FIRST_TOUCH:
        return Effect(stops=True, reason=f"touched_{event.attempt.value}", keeps=True)
    return Effect(attempt=True) if clock is Clock.ATTEMPTS else NOTHING


def _accepted(clock: Clock, event: ClockEvent) -> Effect:
    # A decision, not a touch: the first-touch and attempts clocks run on.
    if clock is Clock.ACCEPT_OR_REJECT:
        return Effect(stops=True, reason="accepted", keeps=True)
    return NOTHING


def _rejected(clock: Clock, event: ClockEvent) -> Effect:
    return Effect(stops=True, reason="rejected", keeps=clock is Clock.ACCEPT_OR_REJECT)


def _left_queue(clock: Clock, event: ClockEvent) -> Effect:
    return Effect(stops=True, reason=f"moved_to_{event.to_stage}")


def _changed_hands(clock: Clock, event: ClockEvent) -> Effect:
    return Effect(stops=True, reason=event.kind.value)


def _nothing(clock: Clock, event: ClockEvent) -> Effect:
    return NOTHING


_RULES: dict[EventKind, Callable[[Clock, ClockEvent], Effect]] = {
    EventKind.CONTACT_ATTEMPT: _contact_attempt,
    EventKind.MARKETING_TOUCH: _nothing,
    EventKind.ACCEPTED: _accepted,
    EventKind.REJECTED: _rejected,
    EventKind.LEFT_QUEUE: _left_queue,
    EventKind.REASSIGNED: _changed_hands,
    EventKind.MERGED: _changed_hands,
}


def effect(clock: Clock, event: ClockEvent) -> Effect:
    """What ``event`` does to a running ``clock`` (see the module's rules)."""
    return _RULES[event.kind](clock, event)


#: Stages behind the open ones: a lead moved there leaves its rep (and is routed afresh
#: if it becomes an MQL again). Forward stages keep the rep.
_BEHIND = frozenset(
    {LifecycleStage.LEAD.value, LifecycleStage.RECYCLED.value, LifecycleStage.DISQUALIFIED.value}
)


def releases_rep(event: ClockEvent) -> bool:
    """The event ends the lead's assignment as well as its clocks (for the same reason)."""
    leaving = event.kind in (EventKind.REJECTED, EventKind.LEFT_QUEUE)
    return leaving and event.to_stage in _BEHIND


def attempts_made(done: int, needed: int) -> bool:
    """The attempts clock stops once ``needed`` attempts are made."""
    return done >= needed


def kept_reasons(clock: Clock) -> frozenset[str]:
    """Every ``stop_reason`` that keeps ``clock``'s promise (for compliance queries)."""
    moment = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    reasons = {
        result.reason
        for event in _every_event(moment)
        if (result := effect(clock, event)).stops and result.keeps
    }
    if clock is Clock.ATTEMPTS:
        reasons.add(ATTEMPTS_MADE)
    return frozenset(reasons)


def real_attempt_reasons() -> frozenset[str]:
    """The first-touch stop reasons that are a real contact attempt (speed to lead)."""
    return frozenset(f"touched_{attempt.value}" for attempt in Attempt)


def _every_event(at: dt.datetime) -> Iterable[ClockEvent]:
    for kind in EventKind:
        if kind is EventKind.CONTACT_ATTEMPT:
            yield from (ClockEvent(kind, at, attempt=a) for a in Attempt)
        elif kind is EventKind.LEFT_QUEUE:
            yield ClockEvent(kind, at, to_stage=LifecycleStage.SQL.value)
        else:
            yield ClockEvent(kind, at)


def event_of_move(
    from_stage: str, to_stage: str, at: dt.datetime, *, by_user: bool
) -> ClockEvent | None:
    """The clock event a stage move is, or None for a move that concerns no clock."""
    if from_stage == LifecycleStage.MQL and to_stage == LifecycleStage.SAL:
        return ClockEvent(EventKind.ACCEPTED, at)
    if from_stage in _OPEN and to_stage not in _OPEN:
        if from_stage == LifecycleStage.MQL and by_user:
            return ClockEvent(EventKind.REJECTED, at, to_stage=to_stage)
        return ClockEvent(EventKind.LEFT_QUEUE, at, to_stage=to_stage)
    return None


def attempt_of_touch(touch_type: str, channel: str) -> Attempt | None:
    """How Sales reached out, for a synced touch that is a contact attempt, else None.

    Calls and meetings are Sales' by nature, whatever the channel. An e-mail is Sales'
    only on the sales-outreach channel (a sequence synced from the CRM): the same open
    or click on a marketing e-mail is the person's reaction to Marketing.
    """
    if touch_type == TouchType.CALL:
        return Attempt.CALL
    if touch_type == TouchType.MEETING:
        return Attempt.MEETING
    if channel == Channel.SALES_OUTREACH and touch_type in (
        TouchType.EMAIL_OPEN,
        TouchType.EMAIL_CLICK,
    ):
        return Attempt.EMAIL
    return None


def event_of_touch(touch_type: str, channel: str, at: dt.datetime) -> ClockEvent:
    """A synced touch as a clock event: a contact attempt or a marketing touch."""
    attempt = attempt_of_touch(touch_type, channel)
    if attempt is None:
        return ClockEvent(EventKind.MARKETING_TOUCH, at)
    return ClockEvent(EventKind.CONTACT_ATTEMPT, at, attempt=attempt)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a clock stands after a history of events."""

    stopped_at: dt.datetime | None
    reason: str
    keeps: bool
    attempts_done: int


def replay(clock: Clock, events: Iterable[ClockEvent], *, attempts_needed: int = 0) -> Outcome:
    """Run ``clock`` through ``events`` (taken in time order, ties in the order given)."""
    done = 0
    for event in sorted(events, key=lambda e: e.at):
        result = effect(clock, event)
        if result.attempt:
            done += 1
            if attempts_made(done, attempts_needed):
                return Outcome(event.at, ATTEMPTS_MADE, True, done)
        if result.stops:
            return Outcome(event.at, result.reason, result.keeps, done)
    return Outcome(None, "", False, done)
