"""Who is it? Find or create people by email, match them to accounts, stitch anonymous ids.

Every capture path (event API, identify, people upsert, form webhook, CSV import)
goes through here, so a mailbox is one person whichever way it arrives. The
matching rules live in ``revloop.engine.identity``; this module loads what they
need and stores what they decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, Max

from revloop.core.bulk import (
    insert_frame_returning,
    insert_ignoring_conflicts,
    values_for_keys,
)
from revloop.core.signals import stages_set
from revloop.engine.identity.accounts import (
    AccountCandidate,
    AccountMatcher,
    PersonToMatch,
)
from revloop.engine.identity.email import NormalizedEmail
from revloop.engine.vocabulary import LifecycleStage
from revloop.people.models import Account, AnonymousIdentity, Person

#: Person fields a capture path may set on a new person or fill in on an existing one.
PROFILE_FIELDS = ("first_name", "last_name", "title", "persona", "phone", "country")


@dataclass
class PersonSeed:
    """What a capture path knows about a person it is about to reference."""

    email: NormalizedEmail
    seen_at: datetime
    source: str = ""
    company: str = ""
    profile: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolved:
    person_id: int
    created: bool


def _parent_domains(domain: str) -> list[str]:
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def _matcher_for(seeds: Iterable[PersonSeed], *, by_name: bool) -> AccountMatcher:
    """Accounts that could match these people: by their email domains, and by name if asked.

    Name matching needs every account, so it is kept for the paths that carry a
    company name (people upsert, imports), where a cached matcher is used.
    """
    if by_name:
        return cached_account_matcher()
    domains = {
        d for s in seeds if not s.email.is_free_mail for d in _parent_domains(s.email.domain)
    }
    candidates = Account.objects.filter(domain__in=domains).values_list(
        "id", "name", "domain", "country", "employee_count"
    )
    return AccountMatcher(AccountCandidate(*row) for row in candidates)


_matcher_cache: dict[str, Any] = {}
_UTC_TIME = pl.Datetime("us", "UTC")


def cached_account_matcher() -> AccountMatcher:
    """A matcher over all accounts, rebuilt only when the accounts changed."""
    stamp = Account.objects.aggregate(n=Count("id"), top=Max("id"), changed=Max("updated_at"))
    key = f"{stamp['n']}:{stamp['top']}:{stamp['changed']}"
    if _matcher_cache.get("key") != key:
        rows = Account.objects.values_list("id", "name", "domain", "country", "employee_count")
        _matcher_cache["matcher"] = AccountMatcher(AccountCandidate(*row) for row in rows)
        _matcher_cache["key"] = key
    matcher: AccountMatcher = _matcher_cache["matcher"]
    return matcher


def resolve_people(
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
    matcher = _matcher_for(missing, by_name=match_names)
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
            "stage_changed_at": _UTC_TIME,
            "created_at": _UTC_TIME,
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
                schema_overrides={"person_id": pl.Int64, "at": _UTC_TIME},
            ),
        )
    result.update({key: Resolved(pid, created=True) for pid, key in inserted})
    raced = [s.email.canonical for s in missing if s.email.canonical not in created_keys]
    for key, pid in values_for_keys(Person, "email_key", raced).items():
        result[key] = Resolved(pid, created=False)
    return result


def people_for_anonymous_ids(anonymous_ids: Iterable[str]) -> dict[str, int]:
    ids = {a for a in anonymous_ids if a}
    return dict(
        AnonymousIdentity.objects.filter(anonymous_id__in=ids).values_list(
            "anonymous_id", "person_id"
        )
    )


def link_anonymous_ids(links: Mapping[str, int], *, at: datetime) -> None:
    """Tie anonymous ids to people; an id already tied to someone stays with them (first
    identification wins). Their earlier touches follow through
    :func:`revloop.activity.stitching.stitch_anonymous_touches`."""
    if not links:
        return
    insert_ignoring_conflicts(
        AnonymousIdentity,
        [{"anonymous_id": a, "person_id": p, "linked_at": at} for a, p in links.items()],
        conflict_field="anonymous_id",
        returning=("id",),
    )
