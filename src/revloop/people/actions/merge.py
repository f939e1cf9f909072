"""Merge duplicate people without losing anything they carried.

The plan comes from ``revloop.engine.identity.dedupe`` (read by
:mod:`revloop.people.merge`). Applying it here: every record that points at a duplicate
(touches, stage transitions, anonymous ids, opportunity roles, and whatever later apps
add) is re-pointed to the survivor in one statement per relation, the survivor's fields
are updated, a PersonMerge keeps the duplicate's snapshot and the values that were not
carried over, then the duplicate goes. Many merges are applied together, so a
whole-database dedupe is a handful of set-based statements rather than thousands of
small transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.core.signals import (
    STAGE_MOVES,
    announce_people_changed,
    people_merged,
    people_merging,
    stages_set,
)
from revloop.engine.identity.dedupe import (
    MergePlan,
    PersonId,
    find_duplicates,
    furthest_lifecycle_stage,
    plan_merges,
)
from revloop.engine.identity.dedupe import plan_merge as engine_plan_merge
from revloop.people.merge import (
    MERGED_SKIP,
    DedupeResult,
    MergeSummary,
    merge_records,
    person_relations,
    plain,
    touch_counts,
)
from revloop.people.models import Person, PersonMerge
from revloop.users.models import User
from revloop.users.policy import require


def _move_relations(mapping: dict[int, int]) -> dict[int, dict[str, int]]:
    """Re-point every record of each loser to its survivor; counts by loser and relation."""
    # A context whose records may hold only one row per person (one role per
    # opportunity) settles the clashes first.
    people_merging.send(sender=Person, mapping=mapping)
    moved: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS revloop_merge_map "
            "(loser BIGINT PRIMARY KEY, survivor BIGINT NOT NULL)"
        )
        cursor.execute("DELETE FROM revloop_merge_map")
        cursor.executemany(
            "INSERT INTO revloop_merge_map (loser, survivor) VALUES (%s, %s)", list(mapping.items())
        )
        for field in person_relations():
            table = field.model._meta.db_table
            column = connection.ops.quote_name(field.column)
            relation = f"{field.model._meta.label_lower}.{field.name}"
            # Table and column names come from our own models, never from input.
            owned = f"WHERE {column} IN (SELECT loser FROM revloop_merge_map)"  # noqa: S608
            cursor.execute(f"SELECT {column}, COUNT(*) FROM {table} {owned} GROUP BY {column}")  # noqa: S608
            for loser, count in cursor.fetchall():
                moved.setdefault(int(loser), {})[relation] = count
            lookup = f"SELECT survivor FROM revloop_merge_map WHERE loser = {table}.{column}"  # noqa: S608
            cursor.execute(f"UPDATE {table} SET {column} = ({lookup}) {owned}")  # noqa: S608
        cursor.execute("DELETE FROM revloop_merge_map")
    return moved


def apply_merge_plans(
    plans: Sequence[MergePlan],
    *,
    by: User | None,
    reason: str,
    records: dict[PersonId, dict[str, Any]],
) -> MergeSummary:
    """Carry out ``plans`` in one transaction (see the module doc)."""
    if not plans:
        return MergeSummary(merges=0, people_removed=0, moved={})
    now = timezone.now()
    mapping = {int(loser): int(p.survivor_id) for p in plans for loser in p.loser_ids}
    with transaction.atomic():
        moved = _move_relations(mapping)
        merges: list[PersonMerge] = []
        survivors = Person.objects.in_bulk([int(p.survivor_id) for p in plans])
        stage_changes: list[dict[str, Any]] = []
        for plan in plans:
            survivor = survivors[int(plan.survivor_id)]
            summary = plan.as_dict()
            new_stage = plan.updates.get("stage")
            if new_stage is not None and new_stage != survivor.stage:
                stage_changes.append(
                    {
                        "person_id": survivor.pk,
                        "from_stage": survivor.stage,
                        "to_stage": new_stage,
                        "at": now,
                        "by_user_id": by.pk if by else None,
                        "by_rule": "" if by else "merge",
                        "reason_code": "merge",
                        "note": f"merged from person {', '.join(map(str, plan.loser_ids))}",
                    }
                )
                survivor.stage_changed_at = now
            for name, value in plan.updates.items():
                setattr(survivor, name, value)
            merges.extend(
                PersonMerge(
                    survivor=survivor,
                    merged_person_id=int(loser),
                    merged_email=records[int(loser)]["email"],
                    merged_at=now,
                    merged_by=by,
                    reason=reason,
                    conflicts=[
                        c
                        for c in summary["conflicts"]
                        if any(d["id"] == loser for d in c["discarded"])
                    ],
                    snapshot={k: plain(v) for k, v in records[int(loser)].items()},
                    moved=moved.get(int(loser), {}),
                )
                for loser in plan.loser_ids
            )
        # Survivors grouped by the fields that change on them: the ORM writes a CASE
        # per field and row, so a field only one plan fills would otherwise be
        # rewritten on every survivor (a third of a 1M-people dedupe).
        by_fields: dict[tuple[str, ...], list[Person]] = {}
        for plan in plans:
            fields = tuple(sorted({*plan.updates, "stage_changed_at", "updated_at"}))
            by_fields.setdefault(fields, []).append(survivors[int(plan.survivor_id)])
        for fields, group in by_fields.items():
            Person.objects.bulk_update(group, list(fields), batch_size=500)
        stages_set.send(sender=Person, moves=pl.DataFrame(stage_changes, schema=STAGE_MOVES))
        PersonMerge.objects.bulk_create(merges, batch_size=1000)
        Person.objects.filter(pk__in=list(mapping)).delete()
        people_merged.send(sender=Person, survivor_ids=list(survivors))
        announce_people_changed(Person, survivors)  # scores are recomputed, not inherited
    totals: dict[str, int] = {}
    for counts in moved.values():
        for relation, count in counts.items():
            totals[relation] = totals.get(relation, 0) + count
    return MergeSummary(merges=len(plans), people_removed=len(mapping), moved=totals)


def do_merge_people(
    survivor_id: int, duplicate_ids: Sequence[int], *, by: User | None
) -> MergeSummary:
    """Merge the given duplicates into ``survivor_id`` (a manual merge); ``by`` None is
    revloop itself (the deduplication command run by the operator)."""
    if by is not None:
        require(by, "people.merge")
    ids = [survivor_id, *duplicate_ids]
    if len(set(ids)) != len(ids):
        raise InvalidInputError("a person cannot be merged into itself")
    records = merge_records(ids)
    missing = sorted(set(ids) - set(records))
    if missing:
        raise NotFoundError(f"no person with id {', '.join(map(str, missing))}")
    plan = engine_plan_merge(
        [records[i] for i in ids],
        survivor_id=survivor_id,
        touch_counts=touch_counts(ids),
        skip_fields=MERGED_SKIP,
        resolvers={"stage": furthest_lifecycle_stage},
        keys=("manual",),
    )
    return apply_merge_plans([plan], by=by, reason="manual", records=records)


def do_dedupe(
    *, by_name_and_account: bool = False, dry_run: bool = False, by: User | None = None
) -> DedupeResult:
    """Find duplicate people across the whole database and merge each cluster."""
    columns = ["id", "email", "created_at", "first_name", "last_name", "account_id"]
    frame = pl.DataFrame(
        list(Person.objects.values_list(*columns).iterator(chunk_size=50_000)),
        schema=columns,
        orient="row",
    )
    clusters = (
        find_duplicates(frame, by_name_and_account=by_name_and_account) if frame.height else []
    )
    if dry_run or not clusters:
        return DedupeResult(
            frame.height,
            len(clusters),
            MergeSummary(0, sum(len(c.loser_ids) for c in clusters), {}),
            dry_run,
        )
    ids = [int(i) for c in clusters for i in c.member_ids]
    records = merge_records(ids)
    plans = list(
        plan_merges(
            clusters,
            records,
            skip_fields=MERGED_SKIP,
            resolvers={"stage": furthest_lifecycle_stage},
        )
    )
    summary = apply_merge_plans(plans, by=by, reason="dedupe", records=records)
    return DedupeResult(frame.height, len(clusters), summary, dry_run)
