"""People endpoints that need a full-access token: merging duplicates."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from ninja import Router, Schema
from pydantic import Field

from revloop.core.bounds import CleanText
from revloop.people.access import access_person_id
from revloop.people.actions import (
    check_can_handle_personal_data,
    do_erase_person,
    do_export_person,
    do_merge_people,
)
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


class ErasureOut(Schema):
    person_id: int
    at: datetime
    removed: dict[str, int]


@router.get("/people/{ref}/export", response=dict[str, Any])
def export_person(request: ApiRequest, ref: CleanText) -> dict[str, Any]:
    """Everything held on a person (id or email), as one JSON document; admins only."""
    check_can_handle_personal_data(request.auth)
    document = do_export_person(request.auth, access_person_id(ref))
    return cast("dict[str, Any]", json.loads(json.dumps(document, cls=DjangoJSONEncoder)))


@router.post("/people/{ref}/erase", response=ErasureOut)
def erase_person(request: ApiRequest, ref: CleanText) -> dict[str, Any]:
    """Erase a person's personal data, keeping their anonymous history; admins only."""
    check_can_handle_personal_data(request.auth)
    return asdict(do_erase_person(request.auth, access_person_id(ref)))
