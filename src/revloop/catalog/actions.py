"""Changing the offer catalog: one way in, permission-checked, one transaction.

Marketing and sales managers keep the catalog (Marketing writes the copy, Sales
hears what prospects were promised); admins run revloop. Saving the same meaning
again (only comments or layout changed) keeps the active version.
"""

from __future__ import annotations

import hashlib
from functools import partial

from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from revloop.activity.models import ContentAsset
from revloop.catalog.models import (
    CatalogStatus,
    CatalogVersion,
    ContentCheck,
    ContentFinding,
)
from revloop.catalog.versions import active_checker, active_version
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.truth import CatalogError, catalog_digest, check_catalog, detect_format
from revloop.users.models import User
from revloop.users.policy import require

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
    """``None`` is revloop itself (the operator's command line, the demo)."""
    if user is not None:
        require(user, "catalog.save")


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


def asset_copy(asset: ContentAsset) -> tuple[str, str]:
    """The copy of an asset to check and its format.

    The body only: a title names the asset ("Brightline Platform Datasheet") and
    would read as a product the catalog does not have.
    """
    body = asset.body or ""
    return body, detect_format(asset.url or None, body) if body.strip() else "plain"


def do_check_content(
    asset: ContentAsset | int, *, by: User | None, force: bool = False
) -> ContentCheck | None:
    """Check one asset's copy against the active catalog and store what it finds.

    ``None`` when no catalog has been saved yet (nothing to hold the copy to). An
    asset whose copy and catalog are those of its last check is left as it is
    unless ``force``.
    """
    check_can_edit(by)
    if active_version() is None:
        return None
    version, checker = active_checker()
    with transaction.atomic():
        pk = asset.pk if isinstance(asset, ContentAsset) else int(asset)
        found = ContentAsset.objects.select_for_update().filter(pk=pk).first()
        if found is None:
            raise NotFoundError(f"no content asset with id {pk}")
        text, fmt = asset_copy(found)
        digest = hashlib.sha256(f"{fmt}\0{text}".encode()).hexdigest()
        current = ContentCheck.objects.filter(asset=found).first()
        if (
            not force
            and current is not None
            and current.version_id == version.pk
            and current.text_digest == digest
        ):
            return current
        report = checker.check(text, fmt)
        if current is not None:
            current.delete()
        record = ContentCheck.objects.create(
            asset=found,
            version=version,
            text_digest=digest,
            format=fmt,
            findings_count=len(report.findings),
            checked_at=timezone.now(),
        )
        ContentFinding.objects.bulk_create(
            ContentFinding(
                content_check=record,
                asset=found,
                fact=f.fact,
                kind=f.kind,
                sentence=f.sentence,
                subject=f.subject[:255],
                truth=f.truth,
                rewrite=f.rewrite,
                start=f.start,
                end=f.end,
                method=f.method,
            )
            for f in report.findings
        )
    return record


def do_check_all_content(*, by: User | None) -> list[ContentCheck]:
    """Check every content asset against the active catalog (after a new version)."""
    check_can_edit(by)
    checks: list[ContentCheck] = []
    for pk in ContentAsset.objects.order_by("pk").values_list("pk", flat=True):
        record = do_check_content(pk, by=by)
        if record is not None:
            checks.append(record)
    return checks
