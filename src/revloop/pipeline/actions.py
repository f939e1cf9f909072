"""The pipeline's changes of state: opportunities opened and imported, flags dismissed.

A sales manager (or an admin) may dismiss one flag on one deal, with a reason: the
deal really is worked by phone calls nobody logs, the amount really did triple. The
dismissal is kept for good (append-only) and shown beside the flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.pipeline import Check
from revloop.engine.vocabulary import OpportunityStage
from revloop.people.models import Person
from revloop.pipeline.models import (
    FlagDismissal,
    Opportunity,
    OpportunityChange,
    OpportunityContact,
)
from revloop.users.models import User
from revloop.users.policy import require

#: Sent after the dismissal's transaction commits (``dismissal``).
flag_dismissed = Signal()


def check_can_dismiss(user: User) -> None:
    require(user, "pipeline.dismiss")


def do_dismiss_flag(opportunity: int, check: str, *, by: User, reason: str) -> FlagDismissal:
    """Record that ``check`` on ``opportunity`` is not a concern, and why."""
    check_can_dismiss(by)
    if check not in {c.value for c in Check}:
        raise InvalidInputError(
            f"check: unknown check {check!r}; expected one of {', '.join(c.value for c in Check)}"
        )
    if not reason.strip():
        raise InvalidInputError("reason: say why the flag is not a concern")
    with transaction.atomic():
        deal = Opportunity.objects.filter(pk=opportunity).first()
        if deal is None:
            raise NotFoundError(f"opportunity {opportunity}: no such opportunity")
        dismissal = FlagDismissal.objects.create(
            opportunity=deal, flag=check, reason=reason.strip(), by_user=by, at=timezone.now()
        )
        transaction.on_commit(
            partial(flag_dismissed.send, sender=FlagDismissal, dismissal=dismissal)
        )
    return dismissal


def do_open_opportunity(
    contact: Person,
    *,
    name: str,
    amount: Decimal,
    currency: str,
    close_date: date,
    role: str,
    by: User,
    now: datetime,
) -> Opportunity:
    """Open a deal in Discovery on ``contact``'s account with them on it in ``role``, and
    record its first stage.

    The caller's action has checked that ``by`` works the contact and validated the
    input (a rep converting a lead: ``feedback.actions.do_convert_to_opportunity``).
    """
    with transaction.atomic():
        deal = Opportunity.objects.create(
            name=name,
            account=contact.account,
            primary_contact=contact,
            amount=amount,
            currency=currency,
            stage=OpportunityStage.DISCOVERY,
            close_date=close_date,
            owner=contact.owner or by,
            source=contact.source,
            created_at=now,
        )
        OpportunityContact.objects.create(opportunity=deal, person=contact, role=role)
        OpportunityChange.objects.create(
            opportunity=deal,
            at=now,
            field=OpportunityChange.Field.STAGE,
            old_value="",
            new_value=OpportunityStage.DISCOVERY,
            by_user=by,
        )
    return deal


def do_drop_clashing_roles(mapping: dict[int, int]) -> None:
    """Before people merge (duplicate id → survivor id): where the merged people would
    meet on an opportunity, the survivor's role stays, else the earliest duplicate's;
    the other roles are deleted. Runs inside the merge's transaction."""
    taken = set(
        OpportunityContact.objects.filter(person_id__in=set(mapping.values())).values_list(
            "opportunity_id", "person_id"
        )
    )
    clashing = []
    for pk, opportunity_id, person_id in (
        OpportunityContact.objects.filter(person_id__in=list(mapping))
        .order_by("id")
        .values_list("id", "opportunity_id", "person_id")
    ):
        key = (opportunity_id, mapping[person_id])
        if key in taken:
            clashing.append(pk)
        else:
            taken.add(key)
    OpportunityContact.objects.filter(pk__in=clashing).delete()


def do_store_imported_opportunities(
    new: Sequence[tuple[Opportunity, datetime]],
    updated: Sequence[tuple[Opportunity, dict[str, Any], set[str]]],
    now: datetime,
) -> None:
    """Store an import batch's opportunities, each change with its OpportunityChange.

    ``new`` pairs an unsaved opportunity with when it was created; ``updated`` holds a
    stored one with its values before the file and the fields the file changed. Runs in
    the import's batch transaction.
    """
    created = [o for o, _ in new]
    Opportunity.objects.bulk_create(created, batch_size=1_000)
    OpportunityChange.objects.bulk_create(
        (
            OpportunityChange(opportunity=o, at=at, field="stage", old_value="", new_value=o.stage)
            for o, at in new
        ),
        batch_size=1_000,
    )
    for opportunity, before, changed in updated:
        opportunity.save(update_fields=sorted(changed))
        OpportunityChange.objects.bulk_create(
            OpportunityChange(
                opportunity=opportunity,
                at=now,
                field=name,
                old_value=_text(old),
                new_value=_text(getattr(opportunity, name)),
            )
            for name, old in before.items()
            if name in changed and _text(old) != _text(getattr(opportunity, name))
        )


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)
