"""A person's data on request: everything held on them, and its erasure (GDPR art. 15, 17).

Erasure pseudonymises rather than deletes. The person's row stays, known only by its
id, so the records that reports count (stage transitions, touches, assignments,
opportunities) keep pointing at one anonymous lead and every funnel and attribution
total reads as before; what identifies the person (e-mail, names, phone, the
browser ids and identifiers their touches carried) is removed, each context doing its
own part on :data:`person_erasing`. The audit trail records that an erasure happened
and how many records it touched, never what was erased.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from revloop.core.errors import NotFoundError
from revloop.core.signals import person_erasing, person_exporting
from revloop.people.models import Account, AnonymousIdentity, Person, PersonMerge
from revloop.users.actions import record_audit
from revloop.users.models import User
from revloop.users.policy import require

#: The fields that say who a person is; blanked by an erasure.
PERSONAL_FIELDS = ("email", "first_name", "last_name", "title", "persona", "phone", "external_id")
#: The prefix of an erased person's identity key: unique, and never an e-mail.
ERASED_KEY = "erased:"


def check_can_handle_personal_data(user: User | None) -> None:
    """Exports and erasures are the admins' (the data controller's), or the console's."""
    if user is not None:
        require(user, "personal_data.handle")


def _person(person_id: int) -> Person:
    person = Person.objects.select_related("account", "owner").filter(pk=person_id).first()
    if person is None or person.email_key.startswith(ERASED_KEY):
        raise NotFoundError(f"no person with id {person_id}")
    return person


def do_export_person(by: User | None, person_id: int) -> dict[str, Any]:
    """Everything revloop holds on a person, as one JSON-ready document."""
    check_can_handle_personal_data(by)
    person = _person(person_id)
    document: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "person": _own_fields(person),
        "anonymous_ids": list(
            AnonymousIdentity.objects.filter(person=person).values("anonymous_id", "linked_at")
        ),
        "merged_duplicates": list(
            PersonMerge.objects.filter(survivor=person).values(
                "merged_email", "merged_at", "reason", "snapshot", "conflicts"
            )
        ),
    }
    answers = cast(
        "list[tuple[Any, tuple[str, Any]]]",
        person_exporting.send(sender=Person, person_id=person.pk),
    )
    for _, (section, rows) in answers:
        document[section] = rows
    with transaction.atomic():
        record_audit(
            by,
            "person.exported",
            object_type="person",
            object_id=person.pk,
            detail={"sections": sorted(document)},
        )
    return document


@dataclass(frozen=True, slots=True)
class Erasure:
    person_id: int
    at: datetime
    #: Records changed per kind (``touches``: 12 …); counts only, never values.
    removed: dict[str, int]


def do_erase_person(by: User | None, person_id: int) -> Erasure:
    """Remove what identifies the person and keep their anonymous history."""
    check_can_handle_personal_data(by)
    now = timezone.now()
    with transaction.atomic():
        person = _person(person_id)
        Person.objects.select_for_update().filter(pk=person.pk).first()
        answers = cast(
            "list[tuple[Any, tuple[str, int]]]",
            person_erasing.send(sender=Person, person_id=person.pk),
        )
        removed = {kind: count for _, (kind, count) in answers}
        removed["anonymous_ids"] = AnonymousIdentity.objects.filter(person=person).delete()[0]
        removed["merge_records"] = PersonMerge.objects.filter(survivor=person).update(
            merged_email="", snapshot={}, conflicts=[]
        )
        Person.objects.filter(pk=person.pk).update(
            **dict.fromkeys(PERSONAL_FIELDS, ""),
            email_key=f"{ERASED_KEY}{person.pk}",
            properties={},
            updated_at=now,
        )
        record_audit(
            by, "person.erased", object_type="person", object_id=person.pk, detail=removed, at=now
        )
    return Erasure(person.pk, now, removed)


def _own_fields(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "title": person.title,
        "persona": person.persona,
        "phone": person.phone,
        "country": person.country,
        "account": person.account.name if person.account else None,
        "stage": person.stage,
        "stage_changed_at": person.stage_changed_at,
        "rule_score": person.rule_score,
        "fit_score": person.fit_score,
        "engagement_score": person.engagement_score,
        "grade": person.grade,
        "predicted_probability": person.predicted_probability,
        "owner": person.owner.username if person.owner else None,
        "source": person.source,
        "consent": person.consent,
        "external_id": person.external_id,
        "properties": person.properties,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


# What the capture paths (the API, Segment calls, forms, imports) change on people and
# accounts. They run inside the capture action's transaction; the capture edge has
# already checked the sender's token, and its action announces the change on commit.


def do_fill_people(people: Iterable[Person], fields: Sequence[str]) -> None:
    """Store ``fields`` of people whose empty values a capture path filled in."""
    Person.objects.bulk_update(list(people), list(fields), batch_size=500)


def do_set_consent(person_id: int, consent: str) -> None:
    Person.objects.filter(pk=person_id).update(consent=consent)


def do_adopt_email(person_id: int, email: str, email_key: str) -> None:
    """A person known by an external id takes the mailbox a later file gives them."""
    Person.objects.filter(pk=person_id).update(email=email, email_key=email_key)


def do_create_account(**values: Any) -> Account:
    account = Account(**values)
    account.save()
    return account


def do_update_accounts(accounts: Iterable[Account], fields: Sequence[str]) -> None:
    Account.objects.bulk_update(list(accounts), list(fields), batch_size=500)


def do_join_group_account(person_id: int, group_id: str, *, name: str, domain: str) -> int:
    """Put the person in the account of ``group_id`` (a Segment group), created when new.

    The account is found by the group id seen before, else by domain, else by name;
    the id of the account is returned.
    """
    now = timezone.now()
    with transaction.atomic():
        accounts = Account.objects.select_for_update()
        account = (
            accounts.filter(properties__segment_group_id=group_id).first()
            or (domain and accounts.filter(domain=domain).first())
            or (name and accounts.annotate(low=Lower("name")).filter(low=name.lower()).first())
        )
        if not account:
            account = Account.objects.create(
                name=name or group_id,
                domain=domain,
                properties={"segment_group_id": group_id},
                created_at=now,
            )
        elif "segment_group_id" not in account.properties:
            account.properties["segment_group_id"] = group_id
            account.save(update_fields=["properties", "updated_at"])
        Person.objects.filter(pk=person_id).update(account=account, updated_at=now)
    return int(account.pk)
