"""Changing what the pipeline checks say: one way in, permission-checked, one transaction.

A sales manager (or an admin) may dismiss one flag on one deal, with a reason: the
deal really is worked by phone calls nobody logs, the amount really did triple. The
dismissal is kept for good (append-only) and shown beside the flag.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.pipeline import Check
from revloop.pipeline.models import FlagDismissal, Opportunity
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
