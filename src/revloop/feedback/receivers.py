"""Sales' records of a person (calls, notes, what was heard) in the person's export."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from revloop.core.signals import person_exporting
from revloop.feedback.models import HeardItem, MisinformedBelief, Note, SalesActivity


@receiver(person_exporting, dispatch_uid="feedback.person_exporting")
def export_feedback(sender: Any, person_id: int, **kwargs: Any) -> tuple[str, Any]:
    return "sales_feedback", {
        "activities": list(
            SalesActivity.objects.filter(person_id=person_id)
            .order_by("at")
            .values("kind", "at", "outcome", "note", "user__username")
        ),
        "notes": list(
            Note.objects.filter(person_id=person_id)
            .order_by("at")
            .values("text", "at", "user__username")
        ),
        "heard": list(
            HeardItem.objects.filter(person_id=person_id)
            .order_by("at")
            .values("kind", "text", "topic", "at", "user__username")
        ),
        "misinformed_beliefs": list(
            MisinformedBelief.objects.filter(person_id=person_id)
            .order_by("at")
            .values("fact", "said", "at", "user__username")
        ),
    }
