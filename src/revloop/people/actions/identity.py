"""People found or created by email, and anonymous ids tied to them, for every capture path.

The rules and the reads are :mod:`revloop.people.identity`'s; these are its writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from django.db import transaction

from revloop.core.bulk import insert_frame_returning, insert_ignoring_conflicts, values_for_keys
from revloop.core.signals import stages_set
from revloop.engine.identity.accounts import PersonToMatch
from revloop.engine.vocabulary import LifecycleStage
from revloop.people.identity import (
    PROFILE_FIELDS,
    UTC_TIME,
    PersonSeed,
    Resolved,
    matcher_for,
)
from revloop.people.models import AnonymousIdentity, Person


def do_resolve_people(
    seeds: Sequence[PersonSeed], *, match_names: bool = False
) -> dict[str, Resolved]:
    """The person for each seed's mailbox (by canonical email), created when new.

    New people start as leads (with their creation transition), are matched to an
    account, and take their first-seen time from the earliest seed. Safe under
    concurrency: a mailbox inserted by a parallel request is found, not duplicated.
    """
    by_key: dict[str, PersonSeed] = {}
    for seed in seeds:
        known = by_key.get(seed.email.canonical)
        if known is None or seed.seen_at < known.seen_at:
            by_key[seed.email.canonical] = seed
    if not by_key:
        return {}
    existing = values_for_keys(Person, "email_key", by_key)
    result = {key: Resolved(pid, created=False) for key, pid in existing.items()}
    missing = [seed for key, seed in by_key.items() if key not in existing]
    if not missing:
        return result
    matcher = matcher_for(missing, by_name=match_names)
    matches = matcher.match_many(
        [
            PersonToMatch(
                email=s.email.address, company=s.company, country=s.profile.get("country", "")
            )
            for s in missing
        ]
    )
    columns: dict[str, list[Any]] = {
        "email": [s.email.address for s in missing],
        "email_key": [s.email.canonical for s in missing],
        "account_id": [m.account_id for m in matches],
        "stage_changed_at": [s.seen_at for s in missing],
        "created_at": [s.seen_at for s in missing],
        "source": [s.source for s in missing],
    }
    for name in PROFILE_FIELDS:
        if any(name in s.profile for s in missing):
            columns[name] = [s.profile.get(name, "") for s in missing]
    people = pl.DataFrame(
        columns,
        schema_overrides={
            "account_id": pl.Int64,
            "stage_changed_at": UTC_TIME,
            "created_at": UTC_TIME,
        },
    ).with_columns(stage=pl.lit(LifecycleStage.LEAD.value))
    with transaction.atomic():
        # Inserted in mailbox order (see insert_frame): parallel batches cannot deadlock.
        inserted = insert_frame_returning(
            Person, people, skip_conflicts_on="email_key", returning=("id", "email_key")
        )
        created_keys = {key for _, key in inserted}
        stages_set.send(
            sender=Person,
            moves=pl.DataFrame(
                {
                    "person_id": [pid for pid, _ in inserted],
                    "from_stage": "",
                    "to_stage": LifecycleStage.LEAD.value,
                    "at": [by_key[key].seen_at for _, key in inserted],
                    "by_rule": "created",
                },
                schema_overrides={"person_id": pl.Int64, "at": UTC_TIME},
            ),
        )
    result.update({key: Resolved(pid, created=True) for pid, key in inserted})
    raced = [s.email.canonical for s in missing if s.email.canonical not in created_keys]
    for key, pid in values_for_keys(Person, "email_key", raced).items():
        result[key] = Resolved(pid, created=False)
    return result


def do_link_anonymous_ids(links: Mapping[str, int], *, at: datetime) -> None:
    """Tie anonymous ids to people; an id already tied to someone stays with them (first
    identification wins). Their earlier touches follow through
    :func:`revloop.activity.actions.do_stitch_anonymous_touches`."""
    if not links:
        return
    insert_ignoring_conflicts(
        AnonymousIdentity,
        [{"anonymous_id": a, "person_id": p, "linked_at": at} for a, p in links.items()],
        conflict_field="anonymous_id",
        returning=("id",),
    )
