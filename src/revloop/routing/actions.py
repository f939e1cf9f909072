"""Routing's actions: every change to assignments, SLA clocks, breaches and absences.

Read top to bottom, this is one lead's way through routing:

1. ``do_route_people``: the lead's facts and the reps' state are read in bulk
   (``state``), the engine's :class:`~revloop.engine.routing.Router` chooses, the lead
   is claimed and its assignment and clocks are written (``_claim_leads``,
   ``_record_assignments``);
2. ``do_reassign`` / ``do_reassign_many``: by hand, or by the sweep after a breach;
3. ``do_stop_clocks``: the lead was accepted, rejected or left the queue (a stage move);
   ``do_record_contact_attempts`` and ``do_credit_synced_attempts``: the rep called;
4. ``do_remind_clocks`` and ``do_breach_clocks``: the sweep's reminder, and the breach
   record, escalation and re-assignment once a deadline passes.

Which clock an event stops is the engine's one rule (:mod:`revloop.engine.sla.stops`);
this module only writes its outcome. Webhooks are queued inside the transaction and
delivered after it commits (``notify``), so a rolled-back change announces nothing.

Parallel workers can never give one lead to two reps nor a rep more than their
capacity:

* every routing transaction first locks the routing teams' user rows (in id order),
  so runs that could compete for the same capacity take turns, and each reads the
  reps' open work only once the previous run has committed;
* a lead is claimed with a compare-and-set UPDATE (still an MQL, still the owner it
  was read with), and only the claimed leads get an assignment and clocks.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from revloop.contracts.models import ContractVersion
from revloop.contracts.versions import active_contract
from revloop.core.bulk import insert_frame, update_from_frame
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.core.signals import PersonMove
from revloop.engine.contract import Contract
from revloop.engine.routing import Decision, RepState, Router
from revloop.engine.sla.stops import (
    ATTEMPTS_MADE,
    Clock,
    ClockEvent,
    EventKind,
    attempts_made,
    effect,
    event_of_move,
    releases_rep,
)
from revloop.engine.vocabulary import LifecycleStage
from revloop.people.models import Person
from revloop.routing import backfill, marketing, notify, synced
from revloop.routing.clocks import plans_for, rep_calendar
from revloop.routing.models import (
    Assignment,
    ClockKind,
    MarketingSlaWeek,
    RepAbsence,
    SlaBreach,
    SlaClock,
)
from revloop.routing.state import (
    OPEN_STAGES,
    WaitingLead,
    lead_facts,
    rep_states,
    rep_usernames,
    waiting_mqls,
)
from revloop.routing.weeks import week_start
from revloop.users.actions import record_audit, record_audit_many
from revloop.users.models import User
from revloop.users.policy import Owned, allows, require

#: Above this many assignments a run announces one summary instead of one per lead.
ANNOUNCE_ASSIGNMENTS_UP_TO = 200


@dataclass(frozen=True, slots=True)
class Choice:
    """One lead for one rep, and the reasons: what an assignment records."""

    person_id: int
    rep: User
    rule_id: str
    team: str
    skipped: list[dict[str, str]]
    explanation: str


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
        _lock_reps(terms)
        waiting = waiting_mqls(ids)
        kept = [lead for lead in waiting if lead.owner_id is not None and not lead.ever_assigned]
        kept_ids = {lead.person_id for lead in kept}
        to_route = [lead.person_id for lead in waiting if lead.person_id not in kept_ids]
        facts = lead_facts(to_route)
        users = _load_reps(rep_usernames(terms, facts))
        router = Router(terms.routing, _states_by_name(rep_states(terms, users.values(), now)))
        decisions = router.route_many(facts, now) if facts else []
        choices = [_choice_from(decision, users) for decision in decisions if decision.username]
        choices.extend(_existing_owners(kept))
        owners = {lead.person_id: lead.owner_id for lead in waiting}
        claimed = _claim_leads([c for c in choices if c is not None], owners, now)
        _record_assignments(claimed, terms, version, now, stage=LifecycleStage.MQL)
        by_rep = Counter(choice.rep.username for choice in claimed)
        if claimed:
            # Each assignment is its own append-only record; the trail keeps the run.
            record_audit(
                None,
                "leads.routed",
                object_type="contract",
                object_id=version.number,
                detail={"assigned": len(claimed), "by_rep": dict(sorted(by_rep.items()))},
                at=now,
            )
    unassigned = [d for d in decisions if not d.username]
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


# Writing the router's outcome: locks, the owner claim, assignments and their clocks.


def _lock_reps(contract: Contract) -> None:
    names = rep_usernames(contract)
    # Lock order is id order, so two runs never wait on each other crosswise.
    list(User.objects.select_for_update().filter(username__in=names).order_by("pk").values("pk"))


def _load_reps(names: Iterable[str]) -> dict[str, User]:
    return {
        user.username: user
        for user in User.objects.filter(username__in=list(names)).only(
            "pk", "username", "time_zone", "team", "is_active", "manager_id"
        )
    }


def _choice_from(decision: Decision, users: dict[str, User]) -> Choice | None:
    rep = users.get(decision.username or "")
    # A decision names its rule whenever it names a rep.
    if rep is None or decision.rule_id is None:
        return None
    return Choice(
        decision.person_id,
        rep,
        decision.rule_id,
        decision.team or "",
        [{"username": s.username, "reason": s.reason} for s in decision.skipped],
        decision.explanation,
    )


def _states_by_name(states: Iterable[RepState]) -> dict[str, RepState]:
    return {state.username: state for state in states}


def _claim_leads(
    choices: list[Choice], owners: dict[int, int | None], now: datetime
) -> list[Choice]:
    """Give each lead its rep unless it changed hands or stage since it was read (a
    compare-and-set on the owner); the choices that landed."""
    if not choices:
        return []
    table = Person._meta.db_table
    frame = pl.DataFrame(
        {
            "person_id": [c.person_id for c in choices],
            "owner_id": [c.rep.pk for c in choices],
            "was_owner_id": [owners.get(c.person_id) for c in choices],
        },
        schema={"person_id": pl.Int64, "owner_id": pl.Int64, "was_owner_id": pl.Int64},
    )
    moment = connection.ops.adapt_datetimefield_value(now)
    landed = set(
        update_from_frame(
            table,
            frame,
            assignments={"owner_id": "s.owner_id", "updated_at": "%s"},
            constants=[moment],
            condition=(
                f"{table}.stage = '{LifecycleStage.MQL.value}' AND ("
                f"({table}.owner_id IS NULL AND s.was_owner_id IS NULL)"
                f" OR {table}.owner_id = s.was_owner_id)"
            ),
            returning=True,
        )
    )
    return [c for c in choices if c.person_id in landed]


def _record_assignments(
    choices: list[Choice],
    contract: Contract,
    version: ContractVersion,
    now: datetime,
    *,
    stage: LifecycleStage,
    by: int | None = None,
) -> None:
    """Write the assignments and start their clocks; announce them after commit."""
    if not choices:
        return
    at = pl.lit(now).cast(pl.Datetime("us", "UTC"))
    insert_frame(
        Assignment,
        pl.DataFrame(
            {
                "person_id": [c.person_id for c in choices],
                "rep_id": [c.rep.pk for c in choices],
                "rule_id": [c.rule_id for c in choices],
                "team": [c.team for c in choices],
                "skipped": [json.dumps(c.skipped) for c in choices],
                "explanation": [c.explanation for c in choices],
                "by_user_id": [by] * len(choices),
                "contract_version_id": [version.pk] * len(choices),
            },
            schema={
                "person_id": pl.Int64,
                "rep_id": pl.Int64,
                "rule_id": pl.String,
                "team": pl.String,
                "skipped": pl.String,
                "explanation": pl.String,
                "by_user_id": pl.Int64,
                "contract_version_id": pl.Int64,
            },
        ).with_columns(at.alias("at")),
    )
    wanted = {c.person_id for c in choices}
    assignment_of = {
        person_id: pk
        for person_id, pk in Assignment.objects.filter(
            at=now, ended_at__isnull=True, rep_id__in={c.rep.pk for c in choices}
        ).values_list("person_id", "pk")
        if person_id in wanted
    }
    _start_clocks(choices, assignment_of, contract, now, stage=stage)
    if len(choices) <= ANNOUNCE_ASSIGNMENTS_UP_TO:
        for c in choices:
            notify.lead_assigned(c.person_id, c.rep.username, c.rule_id, now)
    else:
        by_rep = Counter(c.rep.username for c in choices)
        notify.leads_assigned(len(choices), dict(sorted(by_rep.items())), now)


def _start_clocks(
    choices: list[Choice],
    assignment_of: dict[int, int],
    contract: Contract,
    now: datetime,
    *,
    stage: LifecycleStage,
) -> None:
    columns: dict[str, list[Any]] = {
        "person_id": [],
        "assignment_id": [],
        "rep_id": [],
        "kind": [],
        "due_at": [],
        "remind_at": [],
        "attempts_needed": [],
    }
    for c in choices:
        calendar = rep_calendar(contract.sla, c.rep.time_zone)
        for plan in plans_for(contract, calendar, now):
            # An accepted lead has no accept-or-reject promise left to keep.
            if stage is LifecycleStage.SAL and plan.kind == ClockKind.ACCEPT_OR_REJECT:
                continue
            columns["person_id"].append(c.person_id)
            columns["assignment_id"].append(assignment_of[c.person_id])
            columns["rep_id"].append(c.rep.pk)
            columns["kind"].append(plan.kind)
            columns["due_at"].append(plan.due_at.astimezone(UTC))
            columns["remind_at"].append(plan.remind_at.astimezone(UTC) if plan.remind_at else None)
            columns["attempts_needed"].append(plan.attempts_needed)
    moment = pl.Datetime("us", "UTC")
    frame = pl.DataFrame(
        columns,
        schema={
            "person_id": pl.Int64,
            "assignment_id": pl.Int64,
            "rep_id": pl.Int64,
            "kind": pl.String,
            "due_at": moment,
            "remind_at": moment,
            "attempts_needed": pl.Int64,
        },
    ).with_columns(
        pl.lit(now).cast(moment).alias("started_at"),
        pl.lit(0, dtype=pl.Int64).alias("attempts_done"),
    )
    insert_frame(SlaClock, frame)


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
    if by is not None:
        require(by, "lead.reassign")
    if to is not None and not to.is_active:
        raise InvalidInputError(f"{to.username} is not an active user")
    if to is not None and not allows(to, "lead.own"):
        raise InvalidInputError(
            f"{to.username} takes no leads: only sales reps and sales managers own leads"
        )
    if to is not None and by is not None:
        require(by, "lead.reassign", to, what=f"giving a lead to {to.username}")
    now = now or timezone.now()
    pk = person.pk if isinstance(person, Person) else int(person)
    found = Person.objects.filter(pk=pk).values("email", "stage", "owner_id").first()
    if found is None:
        raise NotFoundError(f"no person with id {pk}")
    if by is not None:
        require(by, "lead.reassign", Owned(found["owner_id"]), what=found["email"])
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
        _lock_reps(terms)
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
            _record_assignments(choices, terms, version, now, stage=stage, by=by.pk if by else None)
        if by is not None:
            record_audit_many(
                by,
                "lead.reassigned",
                "person",
                (
                    (c.person_id, {"to": c.rep.username, "reason": reasons[c.person_id]})
                    for c, _ in moved
                ),
                at=now,
            )
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
    users = _load_reps(names)
    by_id = {user.pk: user for user in users.values()}
    router = Router(contract.routing, _states_by_name(rep_states(contract, users.values(), now)))
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
        choice = _choice_from(decision, users) if decision.username else None
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


# The clocks: what stops them (the engine's rule), and the sweep's reminders and breaches.


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


def do_stop_clocks(moves: list[PersonMove]) -> None:
    """Stop the clocks that stage moves settle: accepted, rejected, left the queue.

    The engine says which clocks each move stops and whether the rep is released (the
    assignment then ends for the reason its clocks stop); accepted and rejected leads
    are announced.
    """
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


def _chunks(ids: list[int], size: int = 10_000) -> Iterator[list[int]]:
    # SQLite takes at most 32,766 parameters in one statement.
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def do_record_contact_attempts(attempts: list[tuple[int, ClockEvent]]) -> None:
    """Apply contact attempts (person id, event) to the running clocks, in time order."""
    with transaction.atomic():
        for person_id, event in sorted(attempts, key=lambda pair: pair[1].at):
            for clock in Clock:
                result = effect(clock, event)
                if not (result.stops or result.attempt):
                    continue
                running = SlaClock.objects.filter(
                    person_id=person_id, kind=clock.value, stopped_at__isnull=True
                )
                if result.stops:
                    running.update(stopped_at=event.at, stop_reason=result.reason)
                    continue
                for pk, done, needed in (
                    running.select_for_update()
                    .order_by("pk")
                    .values_list("pk", "attempts_done", "attempts_needed")
                ):
                    update: dict[str, object] = {"attempts_done": done + 1}
                    if attempts_made(done + 1, needed):
                        update |= {"stopped_at": event.at, "stop_reason": ATTEMPTS_MADE}
                    SlaClock.objects.filter(pk=pk).update(**update)


def do_credit_synced_attempts(now: datetime) -> int:
    """Apply synced attempts (a dialler's call, a CRM's meeting) to the running
    first-touch and attempts clocks; how many first-touch clocks they stopped.

    Each clock remembers how many synced attempts it has counted, so a touch is
    counted once however often the sweep runs.
    """
    running = SlaClock.objects.filter(kind__in=synced.CREDITED, stopped_at__isnull=True)
    attempts = synced.attempts_since_oldest(running, now)
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
            stop_at, reason, added = synced.credit(Clock(kind), since[credited:], done, needed)
            update: dict[str, object] = {"synced_attempts": len(since)}
            if added:
                update["attempts_done"] = F("attempts_done") + added
            if stop_at is not None:
                update |= {"stopped_at": stop_at, "stop_reason": reason}
                touched += kind == Clock.FIRST_TOUCH
            SlaClock.objects.filter(pk=pk).update(**update)
    return touched


def do_end_merged_assignments(survivor_ids: list[int], now: datetime) -> None:
    """A merged lead keeps one open assignment: the one of the rep who owns it now.

    Both duplicates may have been routed; the others end (history kept) and their
    clocks stop, so no rep is chased for a lead that is someone else's.
    """
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


#: The sweep takes due clocks in batches of this many leads.
SWEEP_BATCH = 2000
#: A batch with more clocks than this is announced in one message, not one per clock.
ANNOUNCE_CLOCKS_UP_TO = 50
#: Breaching these means the lead was never answered: it goes to someone who will.
#: A missed attempts cadence is escalated, but the rep who is working the lead keeps it.
REASSIGNED_ON_BREACH = (ClockKind.FIRST_TOUCH.value, ClockKind.ACCEPT_OR_REJECT.value)
_CLOCK_FIELDS = ("pk", "person_id", "kind", "due_at", "rep_id", "rep__username", "rep__manager_id")


def do_remind_clocks(now: datetime) -> int:
    """Send the reminders of one batch of clocks whose reminder time has come; how many.

    Each is claimed (``FOR UPDATE SKIP LOCKED``) and stamped ``reminded_at`` in the
    transaction that queues its webhook, so no reminder goes out twice.
    """
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
            .values(*_CLOCK_FIELDS)[:SWEEP_BATCH]
        )
        if not rows:
            return 0
        SlaClock.objects.filter(pk__in=[row["pk"] for row in rows]).update(reminded_at=now)
        if len(rows) <= ANNOUNCE_CLOCKS_UP_TO:
            for row in rows:
                notify.sla_warning(_described(row))
        else:
            notify.sla_many("sla.warning", [_described(row) for row in rows])
    return len(rows)


def do_breach_clocks(now: datetime) -> tuple[list[str], int] | None:
    """Record the breach of one batch of leads' passed deadlines: escalate to the rep's
    manager and re-assign the lead as the contract says. The kinds breached and how
    many leads moved; None when nothing is due."""
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
            .values_list("pk", flat=True)[:SWEEP_BATCH]
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
        managers = dict(
            User.objects.filter(
                pk__in=list({row["rep__manager_id"] for row in rows} - {None})
            ).values_list("pk", "username")
        )
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
        if len(announced) <= ANNOUNCE_CLOCKS_UP_TO:
            for clock in announced:
                notify.sla_breached(clock)
        else:
            notify.sla_many("sla.breached", announced)
        SlaBreach.objects.bulk_create(breaches)
    return [row["kind"] for row in rows], len(new_reps)


def _described(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "clock_id": row["pk"],
        "person_id": row["person_id"],
        "kind": row["kind"],
        "rep": row["rep__username"],
        "due_at": row["due_at"],
    }


# Absences, the Marketing side's weekly figures, and the history of leads from before.


def do_mark_away(user: User, *, starts: date, ends: date, note: str = "", by: User) -> RepAbsence:
    """Record that ``user`` is away: routing passes them over from ``starts`` to ``ends``
    (both days included, in the rep's time zone).

    A rep may mark themselves away; a sales manager or an admin may mark anyone.
    """
    require(by, "rep.away", user, what=user.username)
    if ends < starts:
        raise InvalidInputError(f"an absence cannot end ({ends}) before it starts ({starts})")
    return RepAbsence.objects.create(user=user, starts=starts, ends=ends, note=note, created_by=by)


def do_record_marketing_weeks(now: datetime | None = None) -> dict[str, Any]:
    """Store the figures of the contract's measured weeks up to this one (re-runs refresh)."""
    now = now or timezone.now()
    version, contract = active_contract()
    current = week_start(now)
    weeks = max(1, contract.sla.marketing.measured_over_weeks)
    stored = []
    for back in range(weeks - 1, -1, -1):
        week = marketing.marketing_week(current - timedelta(weeks=back))
        MarketingSlaWeek.objects.update_or_create(
            week_start=week.week_start,
            defaults={
                "mqls": week.mqls,
                "accepted": week.accepted,
                "rejected": week.rejected,
                "acceptance_rate": week.acceptance_rate,
                "mql_target": week.mql_target,
                "min_acceptance_rate": week.min_acceptance_rate,
                "volume_met": week.volume_met,
                "acceptance_met": week.acceptance_met,
                "computed_at": now,
                "contract_version": version,
            },
        )
        stored.append(marketing.summary(week))
    return {"weeks": stored}


def do_backfill_sla_history(now: datetime, *, since: datetime) -> dict[str, Any]:
    """Assignments and clocks for people who became MQLs from ``since`` to ``now`` and
    have an owner but no assignment yet, replayed from their history (``backfill``).
    Returns counts of what was recorded."""
    version, contract = active_contract()
    with transaction.atomic():
        leads = backfill.history_leads(since, now)
        if not leads:
            return {"assignments": 0, "clocks": 0, "breaches": 0}
        insert_frame(Assignment, backfill.assignment_frame(leads, version.pk, EXISTING_OWNER))
        assignment_ids = dict(
            Assignment.objects.filter(person_id__in=list(leads)).values_list("person_id", "pk")
        )
        clocks, breaches = backfill.clock_history(leads, assignment_ids, contract, now)
        written = insert_frame(SlaClock, clocks)
        if breaches:
            clock_ids = {
                (person_id, kind): pk
                for person_id, kind, pk in SlaClock.objects.filter(
                    person_id__in=list(leads), breached_at__isnull=False
                ).values_list("person_id", "kind", "pk")
            }
            SlaBreach.objects.bulk_create(
                [
                    SlaBreach(clock_id=clock_ids[row["person_id"], row["kind"]], **row)
                    for row in breaches
                ],
                batch_size=2000,
            )
    return {"assignments": len(leads), "clocks": written, "breaches": len(breaches)}
