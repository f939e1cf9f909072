"""Reading the stage machine's history: a person's transitions and when each stage began."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person


def person_history(person: Person | int) -> dict[str, Any]:
    """The person's stage, every transition (oldest first) and when each stage began."""
    pk = person.pk if isinstance(person, Person) else int(person)
    current = Person.objects.only("stage", "stage_changed_at").get(pk=pk)
    transitions = list(
        StageTransition.objects.filter(person_id=pk)
        .select_related("by_user", "contract_version")
        .order_by("at", "id")
    )
    first: dict[str, datetime] = {}
    for record in transitions:
        first.setdefault(record.to_stage, record.at)
    return {
        "person_id": pk,
        "stage": current.stage,
        "stage_changed_at": current.stage_changed_at,
        "stage_timestamps": first,
        "transitions": transitions,
    }


def stage_timestamps(person: Person | int) -> dict[str, datetime]:
    """When the person first entered each stage they have been in (for velocity)."""
    pk = person.pk if isinstance(person, Person) else int(person)
    first: dict[str, datetime] = {}
    for stage, at in (
        StageTransition.objects.filter(person_id=pk)
        .order_by("at", "id")
        .values_list("to_stage", "at")
    ):
        first.setdefault(stage, at)
    return first
