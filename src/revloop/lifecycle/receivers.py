"""The lifecycle reacts to what the contexts below it announce (:mod:`revloop.core.signals`)."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.dispatch import receiver

from revloop.core.signals import person_exporting, stages_set
from revloop.lifecycle.actions import do_record_stages_set
from revloop.lifecycle.models import StageTransition


@receiver(stages_set, dispatch_uid="lifecycle.stages_set")
def record_stages_set(sender: Any, moves: pl.DataFrame, **kwargs: Any) -> None:
    """Every stage another context set is a transition on record, in the same transaction."""
    if moves.height:
        do_record_stages_set(moves)


@receiver(person_exporting, dispatch_uid="lifecycle.person_exporting")
def export_transitions(sender: Any, person_id: int, **kwargs: Any) -> tuple[str, Any]:
    transitions = StageTransition.objects.filter(person_id=person_id).order_by("at", "pk")
    return "stage_history", list(
        transitions.values(
            "from_stage", "to_stage", "at", "by_user__username", "by_rule", "reason_code", "note"
        )
    )
