"""What a merge of duplicate people reads: their records, touch counts and relations.

The plan (which values the survivor keeps, fills or loses) comes from
``revloop.engine.identity.dedupe``; :mod:`revloop.people.actions.merge` applies it:
every record that points at
a duplicate (touches, stage transitions, anonymous ids, opportunity roles, and
whatever later apps add) is re-pointed to the survivor in one statement per
relation, the survivor's fields are updated, a PersonMerge keeps the duplicate's
snapshot and the values that were not carried over, then the duplicate goes.
Many merges are applied together, so a whole-database dedupe is a handful of
set-based statements rather than thousands of small transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, ForeignKey, ForeignObjectRel

from revloop.engine.identity.dedupe import (
    DEFAULT_SKIP_FIELDS,
    PersonId,
)
from revloop.people.models import Person

# Fields merged by the plan; identity and bookkeeping stay the survivor's own, and
# scores are recomputed rather than inherited.
MERGED_SKIP = DEFAULT_SKIP_FIELDS | {"email_key", "stage_changed_at", "grade", "scored_at"}
_RECORD_FIELDS = [
    f.attname for f in Person._meta.concrete_fields if f.attname not in {"id", "email_key"}
]


@dataclass(frozen=True)
class MergeSummary:
    merges: int
    people_removed: int
    moved: dict[str, int]


def merge_records(ids: Sequence[int]) -> dict[PersonId, dict[str, Any]]:
    rows = Person.objects.filter(pk__in=ids).values("id", *_RECORD_FIELDS)
    return {row["id"]: row for row in rows}


def touch_counts(ids: Sequence[int]) -> dict[PersonId, int]:
    # Through the reverse relation: touches point at people, not the other way round.
    return dict(
        Person.objects.filter(pk__in=ids, touches__isnull=False)
        .values_list("pk")
        .annotate(n=Count("touches"))
        .order_by()
    )


def person_relations() -> list[ForeignKey[Any, Any]]:
    """Every foreign key to Person, so relations added by later apps move too.

    Earlier merges into a duplicate move as well: their record then names the new survivor.
    """
    # Hidden ones too: a key declared with related_name="+" (an SLA breach's person)
    # has no reverse accessor, and ``related_objects`` leaves it out; the merge then
    # failed on deleting the loser that a breach still protected.
    return [
        rel.field
        for rel in Person._meta.get_fields(include_hidden=True)
        if isinstance(rel, ForeignObjectRel)
        and rel.one_to_many
        and isinstance(rel.field, ForeignKey)
    ]


def plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass(frozen=True)
class DedupeResult:
    people_scanned: int
    clusters: int
    summary: MergeSummary
    dry_run: bool
