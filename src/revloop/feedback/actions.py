"""Feedback's actions, Sales' side of the loop: log what was done and heard, give a
verdict, convert.

Every function checks that the user may act on the person
(:func:`~revloop.feedback.access.access_lead_for_action`), validates its input, writes
append-only records, and announces what happened only once the transaction commits.
Verdicts (accept, reject, disqualify) and conversion go through the stage machine, so
they are stage transitions with a reason code under the contract in force: that is the
structured feedback Marketing's reports, the predictive model and the backtest read.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone

from revloop.contracts.versions import active_contract
from revloop.core.bounds import check_amount, check_text, check_year
from revloop.core.errors import InvalidInputError
from revloop.core.signals import sales_activity_logged
from revloop.engine.lifecycle import conversion_path
from revloop.engine.vocabulary import BuyingRole, LifecycleStage
from revloop.feedback.access import access_lead_for_action
from revloop.feedback.beliefs import MISINFORMED, resolve_belief
from revloop.feedback.models import (
    ActivityKind,
    ActivityOutcome,
    HeardItem,
    HeardKind,
    MisinformedBelief,
    Note,
    SalesActivity,
)
from revloop.lifecycle.actions import do_move_by_action, do_move_person, mover_for
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.pipeline.actions import do_open_opportunity
from revloop.pipeline.models import Opportunity
from revloop.users.models import User

#: A logged moment may run a little ahead of the server's clock, not into tomorrow.
CLOCK_SKEW = timedelta(minutes=5)
#: Verdicts a rep gives from the inbox, and the stage-machine action each one is.
VERDICTS = ("accept", "reject", "disqualify")
MAX_TEXT = 4000


def do_log_activity(
    user: User | None,
    person: Person | int | str,
    kind: str,
    at: datetime | None = None,
    note: str = "",
    *,
    outcome: str = "",
) -> SalesActivity:
    """Record a call, email or meeting; ``sales_activity_logged`` fires once it is committed."""
    lead = access_lead_for_action(user, person)
    assert user is not None  # access_lead_for_action refuses anonymous users
    now = timezone.now()
    when = _moment(at or now, now, "at")
    _choice(kind, ActivityKind.values, "kind")
    _choice(outcome, ActivityOutcome.values, "outcome")
    with transaction.atomic():
        record = SalesActivity.objects.create(
            person=lead,
            user=user,
            kind=kind,
            at=when,
            outcome=outcome,
            note=_text(note, "note", required=False),
            recorded_at=now,
        )
        transaction.on_commit(
            partial(
                sales_activity_logged.send,
                sender=SalesActivity,
                person_id=lead.pk,
                user_id=user.pk,
                kind=kind,
                at=when,
            )
        )
    return record


def do_record_heard(
    user: User | None,
    person: Person | int | str,
    kind: str,
    text: str,
    *,
    topic: str = "",
    at: datetime | None = None,
    opportunity: Opportunity | int | None = None,
) -> HeardItem:
    """Record a question or objection heard from the person (optionally on one of their deals)."""
    lead = access_lead_for_action(user, person)
    assert user is not None  # access refuses a caller without a user
    now = timezone.now()
    _choice(kind, HeardKind.values, "kind")
    deal = None
    if opportunity is not None:
        deal_id = opportunity.pk if isinstance(opportunity, Opportunity) else int(opportunity)
        deal = Opportunity.objects.filter(pk=deal_id, contacts=lead).first()
        if deal is None:
            raise InvalidInputError(
                f"opportunity: {lead.email} is not a contact on opportunity {deal_id}"
            )
    return HeardItem.objects.create(
        person=lead,
        user=user,
        kind=kind,
        text=_text(text, "text"),
        topic=topic.strip().lower()[:100],
        at=_moment(at or now, now, "at"),
        opportunity=deal,
        recorded_at=now,
    )


def do_add_note(user: User | None, person: Person | int | str, text: str) -> Note:
    lead = access_lead_for_action(user, person)
    assert user is not None  # access refuses a caller without a user
    return Note.objects.create(person=lead, user=user, text=_text(text, "text"), at=timezone.now())


def do_give_verdict(
    user: User | None,
    person: Person | int | str,
    verdict: str,
    reason_code: str = "",
    note: str = "",
    *,
    belief: str = "",
) -> StageTransition:
    """Accept the lead, or reject / disqualify it with a reason code from the contract.

    A lead rejected as misinformed may carry its ``belief``: a catalog fact id, or the
    rep's words for it, read by the copy checker (``feedback.beliefs``).
    """
    lead = access_lead_for_action(user, person)
    assert user is not None
    _choice(verdict, VERDICTS, "verdict")
    held = None
    if belief.strip():
        if reason_code != MISINFORMED:
            raise InvalidInputError(
                f"belief: only a verdict with reason code {MISINFORMED!r} records a belief"
            )
        held = resolve_belief(belief)
    with transaction.atomic():
        # The stage the user saw: a verdict never lands on a lead someone else moved since.
        moved = do_move_by_action(
            lead,
            verdict,
            by=user,
            reason_code=reason_code or None,
            note=_text(note, "note", False),
            expect_stage=lead.stage,
        )
        if held is not None:
            MisinformedBelief.objects.create(
                transition=moved,
                person=lead,
                fact=held.fact,
                said=held.said[:MAX_TEXT],
                catalog_version=held.version,
                user=user,
                at=moved.at,
            )
    return moved


def do_convert_to_opportunity(
    user: User | None,
    person: Person | int | str,
    *,
    name: str,
    amount: Decimal | str | int,
    currency: str,
    close_date: date,
    role: str = BuyingRole.CHAMPION,
) -> Opportunity:
    """Move the person to Opportunity and open a deal with them on it, in one transaction.

    The stage moves follow the contract: from SQL straight on, from SAL through SQL
    when the contract lets this user qualify and convert without a reason. Anything
    else is refused with the stage machine's own message.
    """
    lead = access_lead_for_action(user, person)
    assert user is not None
    value = check_amount(amount)
    check_year(close_date, "close_date")
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise InvalidInputError(f"currency: {currency!r} is not a three-letter currency code")
    _choice(role, [r.value for r in BuyingRole], "role")
    title = _text(name, "name")[:255]
    _, contract = active_contract()
    steps = conversion_path(contract, LifecycleStage(lead.stage), mover_for(user))
    now = timezone.now()
    with transaction.atomic():
        if not steps:
            # The stage machine says why (wrong stage, or a move this user may not make).
            do_move_person(lead, LifecycleStage.OPPORTUNITY, by=user)
        for stage in steps:
            do_move_person(lead, stage, by=user)
        return do_open_opportunity(
            lead,
            name=title,
            amount=value,
            currency=code,
            close_date=close_date,
            role=role,
            by=user,
            now=now,
        )


def _moment(value: datetime, now: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise InvalidInputError(f"{field}: give a time zone (like 2026-03-02T09:30:00+01:00)")
    if value > now + CLOCK_SKEW:
        raise InvalidInputError(f"{field}: {value.isoformat()} is in the future")
    return value


def _choice(value: str, allowed: list[str] | tuple[str, ...], field: str) -> None:
    if value not in allowed:
        listed = ", ".join(v for v in allowed if v)
        raise InvalidInputError(f"{field}: {value!r} is not one of: {listed}")


def _text(value: str, field: str, required: bool = True) -> str:
    text = check_text((value or "").strip(), field)
    if required and not text:
        raise InvalidInputError(f"{field}: may not be empty")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"{field}: at most {MAX_TEXT} characters (got {len(text)})")
    return text
