"""Capture endpoints: events, identify, people, forms. Ingest-scoped tokens may call them."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from revloop.capture.actions import do_identify, do_ingest_events, do_submit_form, do_upsert_people
from revloop.capture.forms import FormResult, access_form
from revloop.capture.schemas import (
    MAX_BATCH,
    BatchResult,
    EventBatch,
    IdentifyIn,
    IdentifyOut,
    PeopleBatch,
)
from revloop.core.bounds import MAX_JSON_DEPTH
from revloop.core.errors import InvalidInputError, RevloopError
from revloop.core.openapi import json_body
from revloop.users.auth import ingest_access

router = Router(tags=["capture"], auth=[ingest_access])


class PayloadTooLargeError(RevloopError):
    code = "too_large"
    status = 413


def read_json(request: HttpRequest) -> Any:
    """The parsed JSON body, or a 413 / 400 that says what is wrong with it."""
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if declared > limit:
        raise PayloadTooLargeError(f"request body of {declared:,} bytes exceeds {limit:,}")
    try:
        return json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"body is not valid JSON: {exc}") from None
    except RecursionError:
        # Deeper than the parser goes: no item can be told apart, so the body is refused.
        raise InvalidInputError(
            f"body is nested too deeply to read; items may nest {MAX_JSON_DEPTH} levels"
        ) from None


def batch_items(payload: Any, key: str) -> list[Any]:
    items = payload.get(key) if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise InvalidInputError(f'body must be {{"{key}": [...]}} or a JSON array')
    if len(items) > MAX_BATCH:
        raise PayloadTooLargeError(f"{len(items):,} items in one batch; the limit is {MAX_BATCH:,}")
    return items


@router.post(
    "/events",
    response=BatchResult,
    openapi_extra=json_body(EventBatch, "Up to 1,000 touches; each is answered on its own."),
)
def events(request: HttpRequest) -> BatchResult:
    """Store touches idempotently by `event_id`; the answer has one result per item."""
    return do_ingest_events(batch_items(read_json(request), "events"))


@router.post(
    "/people",
    response=BatchResult,
    openapi_extra=json_body(PeopleBatch, "Up to 1,000 people, found by email."),
)
def people(request: HttpRequest) -> BatchResult:
    """Create or update people by email; values left out or empty never erase known ones."""
    return do_upsert_people(batch_items(read_json(request), "people"))


@router.post("/identify", response=IdentifyOut)
def identify(request: HttpRequest, payload: IdentifyIn) -> IdentifyOut:
    """Link an anonymous id to an email; earlier anonymous touches then belong to that person."""
    return do_identify(payload)


@router.post("/forms/{slug}", response=FormResult)
def form_submission(request: HttpRequest, slug: str) -> FormResult:
    """A website form's submission, form-encoded or JSON, mapped by the form's field mapping."""
    form = access_form(slug)
    if request.content_type == "application/json":
        payload = read_json(request)
        if not isinstance(payload, dict):
            raise InvalidInputError("a JSON form submission must be an object of fields")
        fields: dict[str, Any] = payload
    else:
        fields = {key: request.POST.get(key, "") for key in request.POST}
    return do_submit_form(form, fields, referer=request.headers.get("Referer", ""))
