"""Why a lead sits with its rep, in words: every assignment it had, newest first.

Each assignment keeps the rule that chose the rep, the router's own sentence about
the choice and who was passed over on the way (with a reason code); this module
turns those into the sentences the person page and the brief show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from revloop.engine.routing.facts import (
    ABSENT,
    AT_CAPACITY,
    INACTIVE,
    NOT_A_MEMBER,
    OUTSIDE_HOURS,
    UNKNOWN_USER,
)
from revloop.routing.models import Assignment

#: What each skip reason code means, for a reader who never saw the contract.
SKIPPED_BECAUSE = {
    ABSENT: "marked away that day",
    AT_CAPACITY: "already at their capacity of open leads",
    INACTIVE: "their account is deactivated",
    OUTSIDE_HOURS: "outside their working hours while a teammate was working",
    NOT_A_MEMBER: "in no routing team, so takes no leads",
    UNKNOWN_USER: "no such user in revloop",
}


@dataclass(frozen=True)
class Passed:
    username: str
    reason: str
    words: str


@dataclass(frozen=True)
class RoutingStep:
    rep: str
    at: datetime
    rule_id: str
    team: str
    #: The router's sentence, or who re-assigned it by hand.
    why: str
    passed_over: list[Passed]
    by_hand: str | None
    contract_version: int | None
    ended_at: datetime | None
    ended_reason: str

    @property
    def current(self) -> bool:
        return self.ended_at is None


def routing_story(person_id: int, *, limit: int = 20) -> list[RoutingStep]:
    """The person's assignments, newest first (the open one, if any, leads)."""
    records = (
        Assignment.objects.filter(person_id=person_id)
        .select_related("rep", "by_user", "contract_version")
        .order_by("-at", "-id")[:limit]
    )
    return [_step(record) for record in records]


def _step(record: Assignment) -> RoutingStep:
    by_hand = record.by_user.username if record.by_user else None
    why = record.explanation or (
        f"{by_hand} re-assigned the lead to {record.rep.username} by hand."
        if by_hand
        else f"Rule '{record.rule_id}' chose {record.rep.username}."
    )
    skipped = record.skipped if isinstance(record.skipped, list) else []
    return RoutingStep(
        rep=record.rep.username,
        at=record.at,
        rule_id=record.rule_id,
        team=record.team,
        why=why,
        passed_over=[
            Passed(
                str(item.get("username", "")),
                str(item.get("reason", "")),
                SKIPPED_BECAUSE.get(str(item.get("reason", "")), str(item.get("reason", ""))),
            )
            for item in skipped
            if isinstance(item, dict)
        ],
        by_hand=by_hand,
        contract_version=record.contract_version.number if record.contract_version else None,
        ended_at=record.ended_at,
        ended_reason=record.ended_reason,
    )
