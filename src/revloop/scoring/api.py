"""A person's score over the API, explained rule by rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema

from revloop.people.access import access_person_id
from revloop.scoring.services import score_report
from revloop.users.policy import require
from revloop.users.requests import ApiRequest

router = Router(tags=["scoring"])


class RuleLineOut(Schema):
    section: str
    rule_id: str
    label: str
    points: float
    base_points: float
    decayed_points: float
    touches: int
    cap: float | None
    cap_hit: bool
    disqualifies: bool
    reason: str | None


class MqlCheckOut(Schema):
    name: str
    value: str
    threshold: str
    passed: bool


class StoredScoreOut(Schema):
    fit: float
    grade: str
    engagement: float
    total: float
    scored_at: datetime | None


class ScoreOut(Schema):
    person_id: int
    email: str
    contract_version: int
    now: datetime
    fit: float
    grade: str
    engagement: float
    total: float
    mql_eligible: bool
    disqualify_reason: str | None
    last_touch_at: datetime | None
    lines: list[RuleLineOut]
    checks: list[MqlCheckOut]
    stored: StoredScoreOut


@router.get("/people/{person}/score", response=ScoreOut)
def person_score(request: ApiRequest, person: str) -> dict[str, Any]:
    """The person's score (by id or email) under the active contract, as of now: every
    rule that fired with its points, the decay and caps of engagement, the MQL checks,
    and the scores last stored."""
    require(request.auth, "people.read")
    return score_report(access_person_id(person))
