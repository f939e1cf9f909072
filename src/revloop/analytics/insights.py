"""Field insights from the database: what reps heard and noted, grouped into topics
(``engine.insights``), with the deals it came up on and the content that answers it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from revloop.activity.models import ContentAsset
from revloop.engine.insights import (
    DEFAULT_ANSWER_SIMILARITY,
    DEFAULT_DISTANCE,
    Asset,
    Deal,
    Said,
    field_insights,
)
from revloop.engine.vocabulary import OpportunityStage
from revloop.feedback.models import HeardItem, Note
from revloop.pipeline.models import Opportunity, OpportunityContact

#: Notes get ids of their own range, apart from heard items' (an item's id in the report).
NOTE_ID_OFFSET = 1 << 40


def _deals() -> tuple[dict[int, Deal], dict[int, tuple[int, ...]]]:
    deals = {
        pk: Deal(
            id=pk,
            amount=amount,
            currency=currency,
            won=True
            if stage == OpportunityStage.WON
            else False
            if stage == OpportunityStage.LOST
            else None,
        )
        for pk, amount, currency, stage in Opportunity.objects.values_list(
            "pk", "amount", "currency", "stage"
        )
    }
    of_person: dict[int, list[int]] = defaultdict(list)
    for person_id, deal_id in OpportunityContact.objects.values_list("person_id", "opportunity_id"):
        of_person[person_id].append(deal_id)
    return deals, {p: tuple(sorted(set(d))) for p, d in of_person.items()}


def insights_report(
    *,
    now: datetime | None = None,
    period_days: int = 30,
    distance: float = DEFAULT_DISTANCE,
    answer_similarity: float = DEFAULT_ANSWER_SIMILARITY,
) -> dict[str, Any]:
    """Every topic, the most frequent first, as one JSON-ready document.

    Callers check who reads it (the command line is the operator's).
    """
    moment = now or timezone.now()
    deals, of_person = _deals()
    said: list[Said] = []
    for pk, person_id, kind, text, at, deal_id in HeardItem.objects.values_list(
        "pk", "person_id", "kind", "text", "at", "opportunity_id"
    ):
        on = (deal_id,) if deal_id else of_person.get(person_id, ())
        said.append(Said(pk, text, kind, at, person_id, on))
    for pk, person_id, text, at in Note.objects.values_list("pk", "person_id", "text", "at"):
        said.append(
            Said(NOTE_ID_OFFSET + pk, text, "note", at, person_id, of_person.get(person_id, ()))
        )
    assets = [
        Asset(pk, title, body)
        for pk, title, body in ContentAsset.objects.values_list("pk", "title", "body")
    ]
    topics = field_insights(
        said,
        deals,
        assets,
        now=moment,
        period=timedelta(days=period_days),
        distance=distance,
        answer_similarity=answer_similarity,
    )
    return {
        "as_of": moment.isoformat(),
        "period_days": period_days,
        "items": len(said),
        "topics": [topic.to_dict() for topic in topics],
        "content_gaps": sum(1 for t in topics if t.content_gap),
        "method": "tf-idf of word stems and buying synonyms, agglomerative clustering",
    }
