"""People endpoints that need a full-access token: merging duplicates."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ninja import Router, Schema
from pydantic import Field

from revloop.core.bounds import CleanText
from revloop.people.access import access_person_id
from revloop.people.merge import do_merge_people
from revloop.users.requests import ApiRequest

router = Router(tags=["people"])


class MergeIn(Schema):
    survivor: CleanText = Field(..., description="id or email of the person who stays")
    duplicates: list[CleanText] = Field(..., min_length=1, max_length=100)


class MergeOut(Schema):
    survivor_id: int
    merges: int
    people_removed: int
    moved: dict[str, int]


@router.post("/people/merge", response=MergeOut)
def merge_people(request: ApiRequest, payload: MergeIn) -> dict[str, Any]:
    """Merge duplicates into the survivor: every touch, transition and note is kept."""
    user = request.auth
    survivor = access_person_id(payload.survivor)
    duplicates = [access_person_id(d) for d in payload.duplicates]
    return {"survivor_id": survivor, **asdict(do_merge_people(survivor, duplicates, by=user))}
