"""The handoff brief and Sales' feedback over the API.

Reading a brief needs any revloop role; every write needs the right to act on the
lead (its owner, their manager, an admin), checked by the service.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Router, Schema, Status
from pydantic import Field

from revloop.core.bounds import BoundedDate, BoundedDateTime, CleanText, Money
from revloop.engine.vocabulary import BuyingRole
from revloop.feedback.actions import (
    VERDICTS,
    do_add_note,
    do_convert_to_opportunity,
    do_give_verdict,
    do_log_activity,
    do_record_heard,
)
from revloop.feedback.brief import Brief, handoff_brief
from revloop.feedback.inbox import Inbox, rep_inbox
from revloop.feedback.models import (
    ActivityKind,
    ActivityOutcome,
    HeardItem,
    HeardKind,
    Note,
    SalesActivity,
)
from revloop.lifecycle.api import MoveOut, TransitionOut, transition_data
from revloop.pipeline.models import Opportunity
from revloop.users.requests import ApiRequest

router = Router(tags=["feedback"])


class _RecordOut(Schema):
    """A feedback record as the API answers it: who recorded it, by username."""

    id: int
    person_id: int
    user: str

    @staticmethod
    def resolve_user(record: Any) -> str:
        return str(record.user.username)


class ActivityIn(Schema):
    kind: str = Field(description=f"one of: {', '.join(ActivityKind.values)}")
    at: BoundedDateTime | None = Field(
        None, description="when it happened, with a zone; default now"
    )
    outcome: str = Field(
        "", description=f"one of: {', '.join(v for v in ActivityOutcome.values if v)}"
    )
    note: CleanText = Field("", max_length=4000)


class ActivityOut(_RecordOut):
    kind: str
    at: datetime
    outcome: str
    note: str


class HeardIn(Schema):
    kind: str = Field(description=f"one of: {', '.join(HeardKind.values)}")
    text: CleanText = Field(max_length=4000)
    topic: CleanText = Field("", max_length=100)
    at: BoundedDateTime | None = None
    opportunity_id: int | None = None


class HeardOut(_RecordOut):
    kind: str
    text: str
    topic: str
    at: datetime
    opportunity_id: int | None


class NoteIn(Schema):
    text: CleanText = Field(max_length=4000)


class NoteOut(_RecordOut):
    text: str
    at: datetime


class VerdictIn(Schema):
    verdict: str = Field(description=f"one of: {', '.join(VERDICTS)}")
    reason_code: CleanText = Field("", max_length=64, description="reject or disqualify reason")
    note: CleanText = Field("", max_length=4000)
    belief: str = Field(
        "",
        max_length=4000,
        description="with reason code misinformed: what the lead believed, as a catalog"
        " fact id or in words (read by the copy checker)",
    )


class ConvertIn(Schema):
    name: CleanText = Field(max_length=255)
    amount: Money
    currency: str = Field(max_length=3)
    close_date: BoundedDate
    role: str = Field(BuyingRole.CHAMPION.value, description="the person's role on the deal")


class OpportunityOut(Schema):
    id: int
    name: str
    stage: str
    amount: Decimal
    currency: str
    close_date: date
    account_id: int | None
    primary_contact_id: int | None
    owner: str | None

    @staticmethod
    def resolve_owner(deal: Any) -> str | None:
        return deal.owner.username if deal.owner else None


@router.get("/inbox", response=Inbox)
def inbox(request: ApiRequest, rep: str | None = None) -> Inbox:
    """Your open leads, most pressing first: breached SLA clocks, then value (predicted
    probability or score) and time left together. A sales manager sees their team's, or
    one member's with ``rep``; an admin anyone's."""
    return rep_inbox(request.auth, rep)


@router.get("/people/{person}/brief", response=Brief)
def brief(request: ApiRequest, person: str) -> Brief:
    """The handoff brief on a person (id or email): who they are, why they score, what
    they did and saw (and were promised), what they asked, what was said since, and the
    won customers most like their account."""
    return handoff_brief(request.auth, person)


@router.post("/people/{person}/activities", response={201: ActivityOut})
def log_activity(request: ApiRequest, person: str, payload: ActivityIn) -> Status[SalesActivity]:
    """Log a call, email or meeting; the first one stops the lead's first-touch SLA clock."""
    record = do_log_activity(
        request.auth,
        person,
        payload.kind,
        payload.at,
        payload.note,
        outcome=payload.outcome,
    )
    return Status(201, record)


@router.post("/people/{person}/heard", response={201: HeardOut})
def record_heard(request: ApiRequest, person: str, payload: HeardIn) -> Status[HeardItem]:
    """Record a question or an objection heard from the person, in their words."""
    item = do_record_heard(
        request.auth,
        person,
        payload.kind,
        payload.text,
        topic=payload.topic,
        at=payload.at,
        opportunity=payload.opportunity_id,
    )
    return Status(201, item)


@router.post("/people/{person}/notes", response={201: NoteOut})
def add_note(request: ApiRequest, person: str, payload: NoteIn) -> Status[Note]:
    """Add a free-text note for whoever works the person next."""
    note = do_add_note(request.auth, person, payload.text)
    return Status(201, note)


@router.post("/people/{person}/verdicts", response={201: MoveOut})
def give_verdict(request: ApiRequest, person: str, payload: VerdictIn) -> Status[MoveOut]:
    """Accept, reject or disqualify one of your leads, with a reason code from the contract.

    The inbox's three verdicts by name; only who works the lead may give one: its
    owner, their manager or an admin (as for a sales move through ``/transitions``).
    """
    record = do_give_verdict(
        request.auth,
        person,
        payload.verdict,
        payload.reason_code,
        payload.note,
        belief=payload.belief,
    )
    return Status(
        201, MoveOut(transition=TransitionOut(**transition_data(record)), stage=record.to_stage)
    )


@router.post("/people/{person}/convert", response={201: OpportunityOut})
def convert(request: ApiRequest, person: str, payload: ConvertIn) -> Status[Opportunity]:
    """Convert the person to an opportunity: the stage moves the contract allows (SQL, or
    SAL through SQL, to Opportunity) and a new deal with them as contact, together."""
    deal = do_convert_to_opportunity(
        request.auth,
        person,
        name=payload.name,
        amount=payload.amount,
        currency=payload.currency,
        close_date=payload.close_date,
        role=payload.role,
    )
    return Status(201, deal)
