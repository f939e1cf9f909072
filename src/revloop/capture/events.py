"""Store a batch of touches: each item validated on its own, the batch written at once.

A bad item is rejected with its reasons and the good ones are stored; the write
itself is one transaction, so a failure leaves nothing half-written. Sending an
event id again, in the same batch or from a parallel client, stores it once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from revloop.activity.lookups import campaign_ids
from revloop.activity.models import ContentAsset, Touch
from revloop.activity.stitching import stitch_anonymous_touches
from revloop.capture.schemas import BatchResult, EventIn, FieldError, ItemResult
from revloop.core.bulk import insert_ignoring_conflicts
from revloop.core.signals import announce_people_changed
from revloop.engine.identity.email import InvalidEmail, NormalizedEmail, normalize_email
from revloop.people.identity import (
    PersonSeed,
    link_anonymous_ids,
    people_for_anonymous_ids,
    resolve_people,
)

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


def do_ingest_events(items: Sequence[Any]) -> BatchResult:
    """Validate, resolve people, and store the touches of one batch."""
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

    content_ids = {e.content_id for _, e, _ in accepted if e.content_id is not None}
    known_content = set(
        ContentAsset.objects.filter(id__in=content_ids).values_list("id", flat=True)
    )
    kept = []
    for index, event, email in accepted:
        if event.content_id is None or event.content_id in known_content:
            kept.append((index, event, email))
            continue
        results[index] = _rejected(
            index,
            event.event_id,
            [FieldError(field="content_id", message=f"no content asset {event.content_id}")],
        )
    accepted = kept

    with transaction.atomic():
        people = resolve_people(
            [
                PersonSeed(
                    email=m, seen_at=e.timestamp, source=e.channel.value if e.channel else ""
                )
                for _, e, m in accepted
                if m is not None
            ]
        )
        links = {
            e.anonymous_id: people[m.canonical].person_id
            for _, e, m in accepted
            if m is not None and e.anonymous_id
        }
        link_anonymous_ids(links, at=timezone.now())
        stitch_anonymous_touches(links)
        anonymous_owner = people_for_anonymous_ids(
            e.anonymous_id for _, e, m in accepted if m is None
        )
        campaigns = campaign_ids({e.campaign or e.utm_campaign for _, e, _ in accepted} - {""})
        rows: list[dict[str, Any]] = [
            {
                "event_id": e.event_id,
                "person_id": people[m.canonical].person_id
                if m is not None
                else anonymous_owner.get(e.anonymous_id),
                "anonymous_id": e.anonymous_id,
                "occurred_at": e.timestamp,
                "type": e.type.value,
                "channel": e.channel.value if e.channel else "",
                "campaign_id": campaigns.get(e.campaign or e.utm_campaign),
                "content_id": e.content_id,
                "url": e.url,
                "utm_source": e.utm_source,
                "utm_medium": e.utm_medium,
                "utm_campaign": e.utm_campaign or e.campaign,
                "utm_content": e.utm_content,
                "utm_term": e.utm_term,
                "properties": e.properties,
            }
            for _, e, m in accepted
        ]
        rows.sort(key=lambda row: row["event_id"])  # one lock order across parallel batches
        stored = {
            row[0]
            for row in insert_ignoring_conflicts(
                Touch, rows, conflict_field="event_id", returning=("event_id",)
            )
        }
        announce_people_changed(
            Touch,
            [row["person_id"] for row in rows if row["event_id"] in stored] + list(links.values()),
        )
    for index, event, _ in accepted:
        status = "stored" if event.event_id in stored else "duplicate"
        results[index] = ItemResult(index=index, id=event.event_id, status=status)
    final = [r for r in results if r is not None]
    return BatchResult(counts=dict(Counter(r.status for r in final)), results=final)
