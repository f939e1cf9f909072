"""Changing the offer catalog: one way in, permission-checked, one transaction.

Marketing and sales managers keep the catalog (Marketing writes the copy, Sales
hears what prospects were promised); admins run revloop. Saving the same meaning
again (only comments or layout changed) keeps the active version.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from revloop.catalog.models import CatalogStatus, CatalogVersion
from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.engine.truth import CatalogError, catalog_digest, check_catalog
from revloop.engine.vocabulary import Role
from revloop.users.models import User

#: Who may change the catalog.
EDITING_ROLES: tuple[Role, ...] = (Role.MARKETING, Role.SALES_MANAGER, Role.ADMIN)

#: Sent after the transaction that activated a new version commits (``version``):
#: content checks can re-run against it.
catalog_saved = Signal()


class CatalogTextInvalid(InvalidInputError):  # noqa: N818 - reads as "the text is invalid"
    """The text is not a valid catalog; ``errors`` name each line and field."""

    def __init__(self, errors: tuple[CatalogError, ...], source: str) -> None:
        count = len(errors)
        listed = "; ".join(str(error) for error in errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in {source}: {listed}")
        self.errors = errors


def check_can_edit(user: User | None) -> None:
    if user is not None and (not user.is_active or not user.has_role(*EDITING_ROLES)):
        raise ForbiddenError(
            "changing the offer catalog needs the marketing, sales_manager or admin role"
        )


def do_save_catalog(
    text: str, *, by: User | None, source: str = "catalog.yaml", note: str = ""
) -> tuple[CatalogVersion, bool]:
    """Validate ``text`` and make it the active catalog; (version, whether it is new).

    ``by`` is ``None`` only when revloop itself saves (the demo set-up, the command
    line run by an operator).
    """
    check_can_edit(by)
    catalog, errors = check_catalog(text, source)
    if catalog is None:
        raise CatalogTextInvalid(errors, source)
    digest = catalog_digest(catalog)
    now = timezone.now()
    with transaction.atomic():
        current = (
            CatalogVersion.objects.select_for_update().filter(status=CatalogStatus.ACTIVE).first()
        )
        if current is not None and current.digest == digest:
            return current, False
        if current is not None:
            current.status = CatalogStatus.SUPERSEDED
            current.ended_at = now
            current.save(update_fields=["status", "ended_at"])
        last = CatalogVersion.objects.aggregate(n=Max("number"))["n"] or 0
        version = CatalogVersion.objects.create(
            number=last + 1,
            company=catalog.company,
            text=text,
            digest=digest,
            status=CatalogStatus.ACTIVE,
            note=note.strip(),
            created_by=by,
            created_at=now,
        )
        transaction.on_commit(partial(catalog_saved.send, sender=CatalogVersion, version=version))
    return version, True
