"""Store a batch of touches: each item validated on its own, the batch written at once.

A bad item is rejected with its reasons and the good ones are stored (a touch naming
content that does not exist is stored without it, with a warning); the write
itself is one transaction, so a failure leaves nothing half-written. Sending an
event id again, in the same batch or from a parallel client, stores it once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from revloop.capture.schemas import BatchResult, EventIn, FieldError, ItemResult
from revloop.capture.touches import store_touches
from revloop.engine.identity.email import InvalidEmail, NormalizedEmail, normalize_email
from revloop.engine.touch_rows import TOUCH_INPUT

_EVENT = TypeAdapter(EventIn)


def pydantic_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(field=".".join(str(p) for p in err["loc"]) or "(item)", message=err["msg"])
        for err in exc.errors(include_url=False)
    ]


def _validate(
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


def do_ingest_events(items: Sequence[Any], *, announce: bool = True) -> BatchResult:
    """Validate, resolve people, and store the touches of one batch.

    An event naming a content asset that does not exist is stored without it and
    answered with a warning (see :mod:`revloop.engine.touch_rows`).
    """
    results: list[ItemResult | None] = [None] * len(items)
    accepted: list[tuple[int, EventIn, NormalizedEmail | None]] = []
    seen_ids: set[str] = set()
    for index, raw in enumerate(items):
        event, rejected, email = _validate(index, raw)
        if rejected is not None:
            results[index] = rejected
            continue
        assert event is not None
        if event.event_id in seen_ids:
            results[index] = ItemResult(index=index, id=event.event_id, status="duplicate")
            continue
        seen_ids.add(event.event_id)
        accepted.append((index, event, email))

    stored = None
    if accepted:
        with transaction.atomic():
            stored = store_touches(
                event_frame(accepted), now=timezone.now(), report_ids=True, announce=announce
            )
    warnings: dict[int, list[FieldError]] = {}
    for warning in stored.warnings if stored else ():
        warnings.setdefault(warning.row, []).append(
            FieldError(field=warning.field, message=warning.reason)
        )
    for index, event, _ in accepted:
        status = "stored" if stored and event.event_id in stored.stored_ids else "duplicate"
        results[index] = ItemResult(
            index=index, id=event.event_id, status=status, warnings=warnings.get(index, [])
        )
    final = [r for r in results if r is not None]
    return BatchResult(
        counts=dict(Counter(r.status for r in final)),
        warnings=sum(1 for r in final if r.warnings),
        results=final,
    )
