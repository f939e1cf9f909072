"""Routing: hand MQLs to reps by the contract's rules, and record every choice.

The choice is the engine's :class:`~revloop.engine.routing.Router`; this module
reads what it needs in bulk, and writes the outcome (``writes``) so that parallel
workers can never give one lead to two reps nor a rep more than their capacity:

* every routing transaction first locks the routing teams' user rows (in id order),
  so runs that could compete for the same capacity take turns, and each reads the
  reps' open work only once the previous run has committed;
* a lead is claimed with a compare-and-set UPDATE (still an MQL, still the owner it
  was read with), and only the claimed leads get an assignment and clocks.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from revloop.contracts.models import ContractVersion
from revloop.contracts.versions import active_contract
from revloop.core.bulk import update_from_frame
from revloop.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from revloop.engine.contract import Contract
from revloop.engine.routing import Router
from revloop.engine.sla.stops import Clock, ClockEvent, EventKind, effect
from revloop.engine.vocabulary import LifecycleStage, Role
from revloop.people.access import may_act_on
from revloop.people.models import Person
from revloop.routing.models import Assignment, RepAbsence, SlaClock
from revloop.routing.state import (
    OPEN_STAGES,
    WaitingLead,
    lead_facts,
    rep_states,
    rep_usernames,
    waiting_mqls,
)
from revloop.routing.writes import (
    Choice,
    choice_from,
    claim_leads,
    load_reps,
    lock_reps,
    record_assignments,
    states_by_name,
)
from revloop.users.models import User

#: The rule an assignment names when the lead kept the owner it came with.
EXISTING_OWNER = "existing_owner"


def do_route_people(
    ids: Collection[int] | None = None,
    now: datetime | None = None,
    *,
    contract: tuple[ContractVersion, Contract] | None = None,
) -> dict[str, Any]:
    """Route the MQLs among ``ids`` (every MQL when None) that no rep is working.

    An MQL that already had an owner before revloop ever assigned it (an import from a
    CRM) stays with that owner, recorded as rule ``existing_owner``; any other goes
    to whom the contract's rules choose. Returns counts (``considered``,
    ``assigned``, ``unassigned``), assignments per rule and per rep, and why the
    first unassigned leads found nobody.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    version, terms = contract or active_contract()
    with transaction.atomic():
        lock_reps(terms)
        waiting = waiting_mqls(ids)
        kept = [lead for lead in waiting if lead.owner_id is not None and not lead.ever_assigned]
        kept_ids = {lead.person_id for lead in kept}
        to_route = [lead.person_id for lead in waiting if lead.person_id not in kept_ids]
        facts = lead_facts(to_route)
        users = load_reps(rep_usernames(terms, facts))
        router = Router(terms.routing, states_by_name(rep_states(terms, users.values(), now)))
        decisions = router.route_many(facts, now) if facts else []
        choices = [choice_from(decision, users) for decision in decisions if decision.username]
        choices.extend(_existing_owners(kept))
        owners = {lead.person_id: lead.owner_id for lead in waiting}
        claimed = claim_leads([c for c in choices if c is not None], owners, now)
        record_assignments(claimed, terms, version, now, stage=LifecycleStage.MQL)
    unassigned = [d for d in decisions if not d.username]
    by_rep = Counter(choice.rep.username for choice in claimed)
    return {
        "considered": len(waiting),
        "assigned": len(claimed),
        "unassigned": len(waiting) - len(claimed),
        "by_rule": dict(Counter(choice.rule_id for choice in claimed)),
        "by_rep": dict(sorted(by_rep.items())),
        "unassigned_examples": [
            {"person_id": d.person_id, "explanation": d.explanation} for d in unassigned[:20]
        ],
        "seconds": round(time.perf_counter() - started, 3),
    }


def _existing_owners(leads: list[WaitingLead]) -> list[Choice]:
    owners = {
        user.pk: user
        for user in User.objects.filter(pk__in={lead.owner_id for lead in leads}).only(
            "pk", "username", "time_zone", "team"
        )
    }
    return [
        Choice(
            lead.person_id,
            owners[lead.owner_id],
            EXISTING_OWNER,
            owners[lead.owner_id].team,
            [],
            f"{owners[lead.owner_id].username} already owned the lead when it became an MQL",
        )
        for lead in leads
        if lead.owner_id in owners
    ]


def do_reassign(
    person: Person | int,
    *,
    to: User | None = None,
    by: User | None = None,
    reason: str = "manual",
    now: datetime | None = None,
) -> Assignment | None:
    """Give an open lead (MQL or SAL) to ``to``, or to whom the routing rules pick next.

    The current rep is passed over. The open assignment is closed with ``reason`` and
    its running clocks stop; the new rep's clocks start. Only a sales manager or an
    admin may do this. Returns None when the rules find nobody else (the lead then
    stays where it is).
    """
    if by is not None and not by.has_role(Role.SALES_MANAGER, Role.ADMIN):
        raise ForbiddenError(f"{by.username} may not re-assign leads: that needs a sales manager")
    if to is not None and not to.is_active:
        raise InvalidInputError(f"{to.username} is not an active user")
    now = now or timezone.now()
    pk = person.pk if isinstance(person, Person) else int(person)
    found = Person.objects.filter(pk=pk).values("email", "stage", "owner_id").first()
    if found is None:
        raise NotFoundError(f"no person with id {pk}")
    if by is not None and not may_act_on(by, found["owner_id"]):
        raise ForbiddenError(
            f"{by.username} may re-assign only their team's leads; {found['email']} is not"
        )
    if found["stage"] not in OPEN_STAGES:
        raise InvalidInputError(
            f"{found['email']} is {found['stage']}: only MQLs and SALs are assigned to reps"
        )
    if to is not None and found["owner_id"] == to.pk:
        raise InvalidInputError(f"{found['email']} is already {to.username}'s")
    named = {pk: to} if to is not None else None
    moved = do_reassign_many({pk: reason}, now, to=named, by=by)
    if pk not in moved:
        return None
    return Assignment.objects.filter(person_id=pk, ended_at__isnull=True).latest("at", "id")


def do_reassign_many(
    reasons: dict[int, str],
    now: datetime,
    *,
    to: dict[int, User] | None = None,
    by: User | None = None,
) -> dict[int, User]:
    """Re-assign open leads (person id → reason) in one transaction; the SLA sweep's way.

    Each goes to ``to[person]`` when given, else to whom the routing rules choose with
    its current rep passed over. Leads no longer open, or for whom nobody else is
    available, stay where they are. Returns the new rep of each lead that moved.
    """
    if not reasons:
        return {}
    version, terms = active_contract()
    with transaction.atomic():
        lock_reps(terms)
        rows = list(
            Person.objects.select_for_update()
            .filter(pk__in=list(reasons), stage__in=OPEN_STAGES)
            .order_by("pk")
            .values_list("pk", "owner_id", "stage")
        )
        if to is not None:
            moved = [
                (Choice(pk, to[pk], "manual", to[pk].team, [], _by_hand(by)), LifecycleStage(stage))
                for pk, owner_id, stage in rows
                if owner_id != to[pk].pk
            ]
        else:
            moved = _choose_others(terms, rows, reasons, now)
        if not moved:
            return {}
        for reason in set(reasons.values()):
            ids = [c.person_id for c, _ in moved if reasons[c.person_id] == reason]
            Assignment.objects.filter(person_id__in=ids, ended_at__isnull=True).update(
                ended_at=now, ended_reason=reason
            )
        ids = [c.person_id for c, _ in moved]
        SlaClock.objects.filter(person_id__in=ids, stopped_at__isnull=True).update(
            stopped_at=now,
            stop_reason=effect(Clock.FIRST_TOUCH, ClockEvent(EventKind.REASSIGNED, now)).reason,
        )
        update_from_frame(
            Person._meta.db_table,
            pl.DataFrame(
                {"person_id": ids, "owner_id": [c.rep.pk for c, _ in moved]},
                schema={"person_id": pl.Int64, "owner_id": pl.Int64},
            ),
            assignments={"owner_id": "s.owner_id", "updated_at": "%s"},
            constants=[connection.ops.adapt_datetimefield_value(now)],
        )
        for stage in (LifecycleStage.MQL, LifecycleStage.SAL):
            choices = [c for c, at_stage in moved if at_stage == stage]
            record_assignments(choices, terms, version, now, stage=stage, by=by.pk if by else None)
    return {c.person_id: c.rep for c, _ in moved}


def _by_hand(by: User | None) -> str:
    return f"re-assigned by {by.username if by else 'revloop'}"


def _choose_others(
    contract: Contract,
    rows: Sequence[tuple[int, int | None, str]],
    reasons: dict[int, str],
    now: datetime,
) -> list[tuple[Choice, LifecycleStage]]:
    """The routing rules' choice for each lead, its current rep out of the running."""
    facts = {lead.person_id: lead for lead in lead_facts([pk for pk, _, _ in rows])}
    owners = {owner for _, owner, _ in rows if owner is not None}
    names = rep_usernames(contract, facts.values())
    names |= set(User.objects.filter(pk__in=owners).values_list("username", flat=True))
    users = load_reps(names)
    by_id = {user.pk: user for user in users.values()}
    router = Router(contract.routing, states_by_name(rep_states(contract, users.values(), now)))
    moved = []
    for pk, owner_id, stage in rows:
        current = by_id.get(owner_id) if owner_id is not None else None
        state = router.reps.get(current.username) if current is not None else None
        if state is not None:
            # The router's own state: out of the running for this lead only.
            was_active, state.active = state.active, False
        decision = router.route(facts[pk], now)
        if state is not None:
            state.active = was_active
        choice = choice_from(decision, users) if decision.username else None
        if choice is None:
            continue
        if current is not None:
            taken = {"username": current.username, "reason": f"taken off the lead ({reasons[pk]})"}
            others = [s for s in choice.skipped if s["username"] != current.username]
            choice = replace(choice, skipped=[taken, *others])
            if state is not None:
                state.open_leads -= 1
        moved.append((choice, LifecycleStage(stage)))
    return moved


def do_mark_away(user: User, *, starts: date, ends: date, note: str = "", by: User) -> RepAbsence:
    """Record that ``user`` is away: routing passes them over from ``starts`` to ``ends``
    (both days included, in the rep's time zone).

    A rep may mark themselves away; a sales manager or an admin may mark anyone.
    """
    if by.pk != user.pk and not by.has_role(Role.SALES_MANAGER, Role.ADMIN):
        raise ForbiddenError(f"{by.username} may not mark {user.username} away")
    if not by.has_role(Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN):
        raise ForbiddenError(f"{by.username} has no sales role")
    if ends < starts:
        raise InvalidInputError(f"an absence cannot end ({ends}) before it starts ({starts})")
    return RepAbsence.objects.create(user=user, starts=starts, ends=ends, note=note, created_by=by)
