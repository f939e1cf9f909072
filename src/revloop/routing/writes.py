"""Writing routing's outcome: locks, the owner claim, assignments and their clocks."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from django.db import connection

from revloop.contracts.models import ContractVersion
from revloop.core.bulk import insert_frame, update_from_frame
from revloop.engine.contract import Contract
from revloop.engine.routing import Decision, RepState
from revloop.engine.vocabulary import LifecycleStage
from revloop.people.models import Person
from revloop.routing import notify
from revloop.routing.clocks import plans_for, rep_calendar
from revloop.routing.models import Assignment, ClockKind, SlaClock
from revloop.routing.state import rep_usernames
from revloop.users.models import User

#: Above this many assignments a run announces one summary instead of one per lead.
ANNOUNCE_EACH_UP_TO = 200


@dataclass(frozen=True, slots=True)
class Choice:
    """One lead for one rep, and the reasons: what an assignment records."""

    person_id: int
    rep: User
    rule_id: str
    team: str
    skipped: list[dict[str, str]]
    explanation: str


def lock_reps(contract: Contract) -> None:
    names = rep_usernames(contract)
    # Lock order is id order, so two runs never wait on each other crosswise.
    list(User.objects.select_for_update().filter(username__in=names).order_by("pk").values("pk"))


def load_reps(names: Iterable[str]) -> dict[str, User]:
    return {
        user.username: user
        for user in User.objects.filter(username__in=list(names)).only(
            "pk", "username", "time_zone", "team", "is_active", "manager_id"
        )
    }


def choice_from(decision: Decision, users: dict[str, User]) -> Choice | None:
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


def states_by_name(states: Iterable[RepState]) -> dict[str, RepState]:
    return {state.username: state for state in states}


def claim_leads(
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


def record_assignments(
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
    if len(choices) <= ANNOUNCE_EACH_UP_TO:
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
