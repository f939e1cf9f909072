"""Events API items: each validated on its own, the accepted ones as one touch frame.

:func:`revloop.capture.actions.do_ingest_events` stores the frame.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import polars as pl
from pydantic import TypeAdapter, ValidationError

from revloop.capture.schemas import EventIn, FieldError, ItemResult
from revloop.engine.identity.email import InvalidEmail, NormalizedEmail, normalize_email
from revloop.engine.touch_rows import TOUCH_INPUT

_EVENT = TypeAdapter(EventIn)


def pydantic_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(field=".".join(str(p) for p in err["loc"]) or "(item)", message=err["msg"])
        for err in exc.errors(include_url=False)
    ]


def validate_event(
    index: int, raw: object
) -> tuple[EventIn | None, ItemResult | None, NormalizedEmail | None]:
    try:
        event = _EVENT.validate_python(raw)
    except ValidationError as exc:
        event_id = raw.get("event_id") if isinstance(raw, dict) else None
        return None, _rejected(index, event_id, pydantic_errors(exc)), None
    errors: list[FieldError] = []
    email = None
    if event.email:
        try:
            email = normalize_email(event.email)
        except InvalidEmail as exc:
            errors.append(FieldError(field="email", message=exc.reason))
    if not event.email and not event.anonymous_id:
        errors.append(
            FieldError(field="email", message="an event needs an email or an anonymous_id")
        )
    if errors:
        return None, _rejected(index, event.event_id, errors), None
    return event, None, email


def _rejected(index: int, event_id: object, errors: list[FieldError]) -> ItemResult:
    shown = event_id if isinstance(event_id, str) else None
    return ItemResult(index=index, id=shown, status="rejected", errors=errors)


def event_frame(accepted: Sequence[tuple[int, EventIn, NormalizedEmail | None]]) -> pl.DataFrame:
    """Validated events as the capture paths' common touch frame (``row``: batch index)."""
    return pl.DataFrame(
        {
            "row": [index for index, _, _ in accepted],
            "event_id": [e.event_id for _, e, _ in accepted],
            "occurred_at": [e.timestamp for _, e, _ in accepted],
            "type": [e.type.value for _, e, _ in accepted],
            "email": [m.address if m else "" for _, _, m in accepted],
            "canonical_email": [m.canonical if m else "" for _, _, m in accepted],
            "anonymous_id": [e.anonymous_id for _, e, _ in accepted],
            "channel": [e.channel.value if e.channel else "" for _, e, _ in accepted],
            "campaign": [e.campaign for _, e, _ in accepted],
            "content": [""] * len(accepted),
            "content_id": [e.content_id for _, e, _ in accepted],
            "url": [e.url for _, e, _ in accepted],
            "utm_source": [e.utm_source for _, e, _ in accepted],
            "utm_medium": [e.utm_medium for _, e, _ in accepted],
            "utm_campaign": [e.utm_campaign for _, e, _ in accepted],
            "utm_content": [e.utm_content for _, e, _ in accepted],
            "utm_term": [e.utm_term for _, e, _ in accepted],
            "properties": [json.dumps(e.properties, ensure_ascii=False) for _, e, _ in accepted],
        },
        schema=TOUCH_INPUT,
    )
