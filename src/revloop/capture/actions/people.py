"""Upsert people by email and identify anonymous visitors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from revloop.activity.stitching import stitch_anonymous_touches
from revloop.capture.events import pydantic_errors
from revloop.capture.people import fill_person, profile_of
from revloop.capture.schemas import (
    BatchResult,
    FieldError,
    IdentifyIn,
    IdentifyOut,
    ItemResult,
    PersonIn,
)
from revloop.core.errors import InvalidInputError
from revloop.core.signals import announce_people_changed
from revloop.engine.identity.email import InvalidEmail, NormalizedEmail, normalize_email
from revloop.people.actions import do_fill_people, do_set_consent
from revloop.people.identity import (
    PROFILE_FIELDS,
    PersonSeed,
    link_anonymous_ids,
    resolve_people,
)
from revloop.people.models import Person

_PERSON = TypeAdapter(PersonIn)


def do_upsert_people(items: Sequence[Any]) -> BatchResult:
    """Create or update each person; the answer says which, or why an item was rejected."""
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[tuple[int, PersonIn, NormalizedEmail]] = []
    for index, raw in enumerate(items):
        try:
            item = _PERSON.validate_python(raw)
            valid.append((index, item, normalize_email(item.email)))
        except ValidationError as exc:
            results[index] = ItemResult(index=index, status="rejected", errors=pydantic_errors(exc))
        except InvalidEmail as exc:
            results[index] = ItemResult(
                index=index,
                status="rejected",
                errors=[FieldError(field="email", message=exc.reason)],
            )
    now = timezone.now()
    with transaction.atomic():
        resolved = resolve_people(
            [
                PersonSeed(email=email, seen_at=now, company=item.company, profile=profile_of(item))
                for _, item, email in valid
            ],
            match_names=True,
        )
        existing_ids = [r.person_id for r in resolved.values() if not r.created]
        people = Person.objects.select_for_update().in_bulk(existing_ids)
        changed: dict[int, Person] = {}
        statuses: dict[str, str] = {}
        for _, item, email in valid:
            outcome = resolved[email.canonical]
            if outcome.created:
                statuses[email.canonical] = "created"
                if item.consent:
                    do_set_consent(outcome.person_id, item.consent)
                continue
            person = people[outcome.person_id]
            if fill_person(person, profile_of(item), item.consent):
                changed[person.pk] = person
                statuses.setdefault(email.canonical, "updated")
            else:
                statuses.setdefault(email.canonical, "unchanged")
        if changed:
            do_fill_people(changed.values(), [*PROFILE_FIELDS, "consent", "updated_at"])
        announce_people_changed(
            Person, [r.person_id for r in resolved.values() if r.created] + list(changed)
        )
    for index, _, email in valid:
        results[index] = ItemResult(
            index=index,
            id=str(resolved[email.canonical].person_id),
            status=statuses[email.canonical],
        )
    final = [r for r in results if r is not None]
    return BatchResult(counts=dict(Counter(r.status for r in final)), results=final)


def do_identify(item: IdentifyIn) -> IdentifyOut:
    try:
        email = normalize_email(item.email)
    except InvalidEmail as exc:
        raise InvalidInputError(f"email: {exc.reason}") from None
    now = timezone.now()
    with transaction.atomic():
        outcome = resolve_people(
            [PersonSeed(email=email, seen_at=now, profile=profile_of(item.traits))]
        )[email.canonical]
        if not outcome.created:
            person = Person.objects.select_for_update().get(pk=outcome.person_id)
            if fill_person(person, profile_of(item.traits), None):
                do_fill_people([person], [*PROFILE_FIELDS, "updated_at"])
        link_anonymous_ids({item.anonymous_id: outcome.person_id}, at=now)
        stitched = stitch_anonymous_touches([item.anonymous_id])
        announce_people_changed(Person, [outcome.person_id])
    return IdentifyOut(
        person_id=outcome.person_id, created=outcome.created, stitched_touches=stitched
    )
