"""Who is it? Find or create people by email, match them to accounts, stitch anonymous ids.

Every capture path (event API, identify, people upsert, form webhook, CSV import)
goes through here, so a mailbox is one person whichever way it arrives. The
matching rules live in ``revloop.engine.identity``; this module loads what they
need; :mod:`revloop.people.actions.identity` stores what they decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from django.db.models import Count, Max

from revloop.engine.identity.accounts import (
    AccountCandidate,
    AccountMatcher,
)
from revloop.engine.identity.email import NormalizedEmail
from revloop.people.models import Account, AnonymousIdentity

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


def matcher_for(seeds: Iterable[PersonSeed], *, by_name: bool) -> AccountMatcher:
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
UTC_TIME = pl.Datetime("us", "UTC")


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


def people_for_anonymous_ids(anonymous_ids: Iterable[str]) -> dict[str, int]:
    ids = {a for a in anonymous_ids if a}
    return dict(
        AnonymousIdentity.objects.filter(anonymous_id__in=ids).values_list(
            "anonymous_id", "person_id"
        )
    )
