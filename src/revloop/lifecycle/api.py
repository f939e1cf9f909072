"""Stage moves over the API: accept, reject, disqualify, convert … as the contract allows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema, Status
from pydantic import Field

from revloop.core.bounds import CleanText
from revloop.core.errors import InvalidInputError
from revloop.lifecycle.actions import ACTIONS, do_move_by_action, do_move_person
from revloop.lifecycle.models import StageTransition
from revloop.lifecycle.queries import person_history
from revloop.people.access import access_person_id
from revloop.users.policy import require
from revloop.users.requests import ApiRequest

router = Router(tags=["lifecycle"])


class TransitionIn(Schema):
    action: str | None = Field(
        None, description=f"one of: {', '.join(ACTIONS)} (or give to_stage instead)"
    )
    to_stage: str | None = Field(None, description="the stage to move to, instead of an action")
    reason_code: CleanText | None = Field(
        None, max_length=64, description="from the contract's lists"
    )
    note: CleanText = Field("", max_length=4000)


class TransitionOut(Schema):
    id: int
    person_id: int
    from_stage: str
    to_stage: str
    at: datetime
    by_user: str | None
    by_rule: str
    reason_code: str
    note: str
    contract_version: int | None


class MoveOut(Schema):
    transition: TransitionOut
    stage: str


class HistoryOut(Schema):
    person_id: int
    stage: str
    stage_changed_at: datetime
    stage_timestamps: dict[str, datetime]
    transitions: list[TransitionOut]


def transition_data(record: StageTransition) -> dict[str, Any]:
    return {
        "id": record.pk,
        "person_id": record.person_id,
        "from_stage": record.from_stage,
        "to_stage": record.to_stage,
        "at": record.at,
        "by_user": record.by_user.username if record.by_user else None,
        "by_rule": record.by_rule,
        "reason_code": record.reason_code,
        "note": record.note,
        "contract_version": record.contract_version.number if record.contract_version else None,
    }


@router.post("/people/{person}/transitions", response={201: MoveOut})
def create_transition(request: ApiRequest, person: str, payload: TransitionIn) -> Status[MoveOut]:
    """Move a person (id or email): the contract says which moves exist and who may make them.

    Refusals are 403 (you may not make this move) or 400 (no such move, or a missing
    or wrong reason code), with a message that says why.
    """
    pk = access_person_id(person)
    if (payload.action is None) == (payload.to_stage is None):
        raise InvalidInputError("give either an action or a to_stage")
    if payload.action is not None:
        record = do_move_by_action(
            pk, payload.action, by=request.auth, reason_code=payload.reason_code, note=payload.note
        )
    else:
        record = do_move_person(
            pk,
            payload.to_stage or "",
            by=request.auth,
            reason_code=payload.reason_code,
            note=payload.note,
        )
    return Status(
        201, MoveOut(transition=TransitionOut(**transition_data(record)), stage=record.to_stage)
    )


@router.get("/people/{person}/transitions", response=HistoryOut)
def list_transitions(request: ApiRequest, person: str) -> dict[str, Any]:
    """Every stage change of a person, oldest first, and when each stage was first entered."""
    require(request.auth, "people.read")
    history = person_history(access_person_id(person))
    return {**history, "transitions": [transition_data(t) for t in history["transitions"]]}
