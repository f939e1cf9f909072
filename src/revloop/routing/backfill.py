"""SLA history for leads that became MQLs before revloop watched the clocks.

When a company starts with revloop (and when the demo company is seeded) its
recent MQLs already have owners, verdicts and calls in the history. Replaying that
history through the contract's promises (the clock-stop rules of
:mod:`revloop.engine.sla.stops`, the same the live receivers apply) gives each of them
its assignment and clocks as the sweep would have kept them: met when the rep called,
e-mailed or met the lead in time, breached (and escalated) when not, still running
when the deadline is ahead. Accepting a lead stops only its accept-or-reject clock.
Nothing is re-assigned in the past: the history says who kept the lead.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from revloop.engine.contract import Contract
from revloop.engine.sla.stops import (
    Clock,
    ClockEvent,
    EventKind,
    effect,
    event_of_move,
    event_of_touch,
    releases_rep,
    replay,
)
from revloop.engine.vocabulary import LifecycleStage
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.routing.clocks import plans_for, rep_calendar
from revloop.routing.models import Assignment
from revloop.routing.synced import SYNCED_ATTEMPTS
from revloop.users.models import User

#: The sweep runs every 30 seconds; a replayed breach is recorded as it would have been.
_DETECTED_AFTER = timedelta(seconds=15)


@dataclass
class _Lead:
    person_id: int
    mql_at: datetime
    rep: User
    account_owner_id: int | None
    #: What happened after the lead became an MQL, as the clocks see it.
    events: list[ClockEvent] = field(default_factory=list)


def history_leads(since: datetime, now: datetime) -> dict[int, _Lead]:
    """People who became MQLs from ``since`` to ``now``, have an owner and no assignment
    yet, each with what happened to them after (stage moves and synced attempts)."""
    # Ordered by time, so a person promoted twice keeps the latest moment.
    mql_at: dict[int, datetime] = dict(
        StageTransition.objects.filter(to_stage=LifecycleStage.MQL, at__gte=since, at__lte=now)
        .order_by("at")
        .values_list("person_id", "at")
    )
    assigned = set(
        Assignment.objects.filter(person_id__in=list(mql_at)).values_list("person_id", flat=True)
    )
    rows = Person.objects.filter(pk__in=list(mql_at), owner__isnull=False).values_list(
        "pk", "owner_id", "account__owner_id"
    )
    owners = {
        user.pk: user
        for user in User.objects.filter(pk__in={owner for _, owner, _ in rows}).only(
            "pk", "username", "time_zone", "team", "manager_id"
        )
    }
    leads = {
        pk: _Lead(pk, mql_at[pk], owners[owner], account_owner)
        for pk, owner, account_owner in rows
        if pk not in assigned
    }
    _load_history(leads, now)
    return leads


def _load_history(leads: dict[int, _Lead], now: datetime) -> None:
    ids = list(leads)
    for person_id, source, target, at, by in (
        StageTransition.objects.filter(person_id__in=ids, at__lte=now)
        .order_by("at", "pk")
        .values_list("person_id", "from_stage", "to_stage", "at", "by_user_id")
    ):
        lead = leads[person_id]
        event = event_of_move(source, target, at, by_user=by is not None)
        if at > lead.mql_at and event is not None:
            lead.events.append(event)
    from revloop.activity.models import Touch

    # Synced calls, meetings and sales e-mails; marketing touches stop no clock.
    for person_id, at, kind, channel in (
        Touch.objects.filter(SYNCED_ATTEMPTS, person_id__in=ids, occurred_at__lte=now)
        .order_by("occurred_at", "pk")
        .values_list("person_id", "occurred_at", "type", "channel")
    ):
        lead = leads[person_id]
        event = event_of_touch(kind, channel, at)
        if at > lead.mql_at and event.kind is EventKind.CONTACT_ATTEMPT:
            lead.events.append(event)


def assignment_frame(leads: dict[int, _Lead], version_id: int, existing_owner: str) -> pl.DataFrame:
    """One assignment per lead, to the rep who kept it, ended when it left the queue."""
    rows = list(leads.values())
    moment = pl.Datetime("us", "UTC")
    return pl.DataFrame(
        {
            "person_id": [lead.person_id for lead in rows],
            "rep_id": [lead.rep.pk for lead in rows],
            "at": [lead.mql_at.astimezone(UTC) for lead in rows],
            "rule_id": [
                "account_owner" if lead.account_owner_id == lead.rep.pk else existing_owner
                for lead in rows
            ],
            "team": [lead.rep.team for lead in rows],
            "skipped": [json.dumps([]) for _ in rows],
            "explanation": [
                f"{lead.rep.username} owned the lead when it became an MQL" for lead in rows
            ],
            "contract_version_id": [version_id] * len(rows),
            "ended_at": [_released_at(lead) for lead in rows],
            "ended_reason": [_released_reason(lead) for lead in rows],
        },
        schema={
            "person_id": pl.Int64,
            "rep_id": pl.Int64,
            "at": moment,
            "rule_id": pl.String,
            "team": pl.String,
            "skipped": pl.String,
            "explanation": pl.String,
            "contract_version_id": pl.Int64,
            "ended_at": moment,
            "ended_reason": pl.String,
        },
    )


def _exit(lead: _Lead) -> ClockEvent | None:
    """The first move out of the open stages after the lead became an MQL."""
    leaving = (EventKind.REJECTED, EventKind.LEFT_QUEUE)
    return min((e for e in lead.events if e.kind in leaving), key=lambda e: e.at, default=None)


def _released_at(lead: _Lead) -> datetime | None:
    move = _exit(lead)
    return move.at.astimezone(UTC) if move and releases_rep(move) else None


def _released_reason(lead: _Lead) -> str:
    move = _exit(lead)
    # The assignment ends for the reason its clocks stop.
    return effect(Clock.FIRST_TOUCH, move).reason if move and _released_at(lead) else ""


def clock_history(
    leads: dict[int, _Lead], assignment_ids: dict[int, int], contract: Contract, now: datetime
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Each lead's clocks as the sweep would have kept them, and the breaches to record
    (without their clock ids, which exist once the clocks are written)."""
    columns: dict[str, list[Any]] = defaultdict(list)
    breaches: list[dict[str, Any]] = []
    escalate = contract.sla.sales.escalate_to_manager
    for lead in leads.values():
        calendar = rep_calendar(contract.sla, lead.rep.time_zone)
        for plan in plans_for(contract, calendar, lead.mql_at):
            outcome = replay(Clock(plan.kind), lead.events, attempts_needed=plan.attempts_needed)
            stopped = outcome.stopped_at
            late = (stopped or now) > plan.due_at and plan.due_at <= now
            breached_at = plan.due_at + _DETECTED_AFTER if late else None
            seen_until = min(stopped or now, now)
            reminded = plan.remind_at if plan.remind_at and plan.remind_at <= seen_until else None
            manager = lead.rep.manager_id if late and escalate else None
            columns["person_id"].append(lead.person_id)
            columns["assignment_id"].append(assignment_ids[lead.person_id])
            columns["rep_id"].append(lead.rep.pk)
            columns["kind"].append(plan.kind)
            columns["started_at"].append(lead.mql_at.astimezone(UTC))
            columns["due_at"].append(plan.due_at.astimezone(UTC))
            columns["remind_at"].append(_utc(plan.remind_at))
            columns["attempts_done"].append(outcome.attempts_done)
            columns["attempts_needed"].append(plan.attempts_needed)
            # Every attempt in the history is a synced touch: the sweep must not count it again.
            columns["synced_attempts"].append(outcome.attempts_done)
            columns["stopped_at"].append(_utc(stopped))
            columns["stop_reason"].append(outcome.reason)
            columns["reminded_at"].append(_utc(reminded))
            columns["breached_at"].append(_utc(breached_at))
            columns["escalated_to_id"].append(manager)
            if breached_at is not None:
                breaches.append(
                    {
                        "person_id": lead.person_id,
                        "rep_id": lead.rep.pk,
                        "kind": plan.kind,
                        "due_at": plan.due_at.astimezone(UTC),
                        "detected_at": breached_at.astimezone(UTC),
                        "escalated_to_id": manager,
                    }
                )
    moment = pl.Datetime("us", "UTC")
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "person_id": pl.Int64,
        "assignment_id": pl.Int64,
        "rep_id": pl.Int64,
        "kind": pl.String,
        "started_at": moment,
        "due_at": moment,
        "remind_at": moment,
        "attempts_done": pl.Int64,
        "attempts_needed": pl.Int64,
        "synced_attempts": pl.Int64,
        "stopped_at": moment,
        "stop_reason": pl.String,
        "reminded_at": moment,
        "breached_at": moment,
        "escalated_to_id": pl.Int64,
    }
    return pl.DataFrame(dict(columns), schema=schema), breaches


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None
