"""Routing over the API: assignments, re-assignment, absences and both teams' SLA record."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from revloop.core.bounds import BoundedDate, CleanText
from revloop.core.errors import NotFoundError
from revloop.people.access import access_person_id
from revloop.routing.actions import do_mark_away, do_reassign
from revloop.routing.models import Assignment
from revloop.routing.queries import sla_compliance
from revloop.routing.weeks import week_start
from revloop.users.models import User
from revloop.users.policy import require
from revloop.users.requests import ApiRequest

router = Router(tags=["routing"])


class SkipOut(Schema):
    username: str
    reason: str


class AssignmentOut(Schema):
    id: int
    person_id: int
    rep: str
    at: datetime
    rule_id: str
    team: str
    skipped: list[SkipOut]
    explanation: str
    by_user: str | None
    contract_version: int | None
    ended_at: datetime | None
    ended_reason: str


class ReassignIn(Schema):
    to: CleanText | None = Field(
        None, description="username; the routing rules choose when omitted"
    )
    reason: CleanText = Field("manual", max_length=64)


class AbsenceIn(Schema):
    starts: BoundedDate = Field(description="first day away (the rep's local date)")
    ends: BoundedDate = Field(description="last day away, included")
    note: CleanText = Field("", max_length=200)


class AbsenceOut(Schema):
    id: int
    user: str
    starts: date
    ends: date
    note: str
    created_by: str | None


class RateOut(Schema):
    numerator: int
    denominator: int
    value: float | None = Field(description="numerator / denominator; null when it is 0")


class SpeedToLeadOut(Schema):
    leads: int = Field(description="first-touch promises due in the week")
    reached: int = Field(description="of them, reached by a call, e-mail or meeting so far")
    median_hours: float | None = Field(
        description="median business hours from assignment to the first contact attempt"
    )
    in_time: RateOut = Field(description="first attempt by the deadline / (that + missed)")
    missed: int
    pending: int = Field(description="no attempt yet, deadline ahead")
    ended: int = Field(description="rejected, moved on or re-assigned before any attempt")


class GroupSpeedOut(Schema):
    name: str
    team: str
    speed_to_lead: SpeedToLeadOut


class SalesOut(Schema):
    due: int
    met: int
    breached: int
    open: int
    rate: float | None
    deadlines_kept: RateOut
    ended: int
    median_first_touch_hours: float | None
    first_touch_target_hours: float
    speed_to_lead: SpeedToLeadOut
    by_rep: list[GroupSpeedOut]
    by_team: list[GroupSpeedOut]


class MarketingOut(Schema):
    week_start: date
    mqls: int
    mql_target: int
    accepted: int
    rejected: int
    acceptance_rate: float | None
    min_acceptance_rate: float
    volume_met: bool
    acceptance_met: bool | None


class ComplianceOut(Schema):
    week_start: date
    week_end: date
    sales: SalesOut
    marketing: MarketingOut


class WeekIn(Schema):
    week: BoundedDate | None = Field(
        None, description="any day of the week; this week when omitted"
    )


def assignment_data(record: Assignment) -> dict[str, Any]:
    return {
        "id": record.pk,
        "person_id": record.person_id,
        "rep": record.rep.username,
        "at": record.at,
        "rule_id": record.rule_id,
        "team": record.team,
        "skipped": record.skipped,
        "explanation": record.explanation,
        "by_user": record.by_user.username if record.by_user else None,
        "contract_version": record.contract_version.number if record.contract_version else None,
        "ended_at": record.ended_at,
        "ended_reason": record.ended_reason,
    }


def _user(username: str) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        raise NotFoundError(f"no user named {username!r}")
    return found


@router.get("/people/{person}/assignments", response=list[AssignmentOut])
def list_assignments(request: ApiRequest, person: str) -> list[dict[str, Any]]:
    """Every rep the person was given to, newest first, with the rule and who was skipped."""
    require(request.auth, "people.read")
    records = Assignment.objects.filter(person_id=access_person_id(person)).select_related(
        "rep", "by_user", "contract_version"
    )
    return [assignment_data(record) for record in records]


@router.post("/people/{person}/reassign", response={201: AssignmentOut, 409: dict[str, str]})
def reassign(request: ApiRequest, person: str, payload: ReassignIn) -> Status[Any]:
    """Give an open lead to another rep (sales managers and admins). Without ``to`` the
    routing rules choose, passing over the current rep; 409 when they find nobody."""
    target = _user(payload.to) if payload.to else None
    record = do_reassign(
        access_person_id(person),
        to=target,
        by=request.auth,
        reason=payload.reason,
    )
    if record is None:
        return Status(409, {"code": "nobody_available", "message": "no other rep can take it"})
    return Status(201, AssignmentOut(**assignment_data(record)))


@router.post("/reps/{username}/absences", response={201: AbsenceOut})
def mark_away(request: ApiRequest, username: str, payload: AbsenceIn) -> Status[AbsenceOut]:
    """Days a rep is away; routing passes them over. Reps for themselves, managers for anyone."""
    rep = _user(username)
    by: User = request.auth
    absence = do_mark_away(rep, starts=payload.starts, ends=payload.ends, note=payload.note, by=by)
    return Status(
        201,
        AbsenceOut(
            id=absence.pk,
            user=rep.username,
            starts=absence.starts,
            ends=absence.ends,
            note=absence.note,
            created_by=by.username,
        ),
    )


@router.get("/sla/compliance", response=ComplianceOut)
def compliance(request: ApiRequest, params: Query[WeekIn]) -> dict[str, Any]:
    """Both teams' side of the SLA for one week: Sales' deadlines, Marketing's MQLs."""
    require(request.auth, "people.read")
    report = sla_compliance(params.week or week_start(timezone.now()))
    marketing = report.marketing
    return {
        "week_start": report.week_start,
        "week_end": report.week_end,
        "sales": asdict(report.sales),
        "marketing": {
            **asdict(marketing),
            "volume_met": marketing.volume_met,
            "acceptance_met": marketing.acceptance_met,
        },
    }
