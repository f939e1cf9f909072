"""Store a batch of touches: each item validated on its own, the batch written at once.

A bad item is rejected with its reasons and the good ones are stored (a touch naming
content that does not exist is stored without it, with a warning); the write
itself is one transaction, so a failure leaves nothing half-written. Sending an
event id again, in the same batch or from a parallel client, stores it once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from revloop.capture.events import event_frame, validate_event
from revloop.capture.schemas import BatchResult, EventIn, FieldError, ItemResult
from revloop.capture.touches import store_touches
from revloop.engine.identity.email import NormalizedEmail


def do_ingest_events(items: Sequence[Any], *, announce: bool = True) -> BatchResult:
    """Validate, resolve people, and store the touches of one batch.

    An event naming a content asset that does not exist is stored without it and
    answered with a warning (see :mod:`revloop.engine.touch_rows`).
    """
    results: list[ItemResult | None] = [None] * len(items)
    accepted: list[tuple[int, EventIn, NormalizedEmail | None]] = []
    seen_ids: set[str] = set()
    for index, raw in enumerate(items):
        event, rejected, email = validate_event(index, raw)
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
