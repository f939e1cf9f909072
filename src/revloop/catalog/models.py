"""The offer catalog's versions: each one's text as saved, who saved it and when.

A version's text never changes once saved (the model refuses it, as the lead
contract's versions do); saving a new text makes a new version and retires the one
that was active, so every check ever made can be traced to the catalog it used.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from revloop.core.append_only import VersionedDocument, VersionQuerySet


class CatalogStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"


#: What may change after a version is saved; everything else is the record.
VERSION_MUTABLE_FIELDS = frozenset({"status", "ended_at"})


class CatalogVersion(VersionedDocument):
    """One version of the offer catalog, exactly as it was saved."""

    MUTABLE_FIELDS: ClassVar[frozenset[str]] = VERSION_MUTABLE_FIELDS
    FROZEN_MESSAGE: ClassVar[str] = "a catalog version's text never changes once saved"
    KEPT_MESSAGE: ClassVar[str] = "catalog versions are kept forever"

    number = models.PositiveIntegerField(unique=True)
    company = models.CharField(max_length=200)
    text = models.TextField(help_text="The YAML as saved, comments and all")
    digest = models.CharField(
        max_length=64, db_index=True, help_text="Fingerprint of what the catalog says"
    )
    status = models.CharField(max_length=16, choices=CatalogStatus.choices)
    note = models.TextField(blank=True, help_text="Why it changed")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when revloop saved it (the demo set-up) or it came from the command line",
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When a newer version replaced it"
    )

    objects = VersionQuerySet["CatalogVersion"].as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="catalog_one_active_version",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.company} ({self.status})"


class ContentCheck(models.Model):
    """The latest check of one content asset's copy against the catalog in force.

    Re-written (with its findings) whenever the asset's copy or the catalog changes;
    the catalog version says which promises it was held to.
    """

    asset = models.OneToOneField(
        "activity.ContentAsset", on_delete=models.CASCADE, related_name="copy_check"
    )
    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="+")
    text_digest = models.CharField(max_length=64, help_text="Fingerprint of the copy checked")
    format = models.CharField(max_length=16)
    findings_count = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.asset_id} against v{self.version_id}: {self.findings_count} finding(s)"


class ContentFinding(models.Model):
    """One sentence of an asset's copy that the catalog contradicts."""

    content_check = models.ForeignKey(
        ContentCheck, on_delete=models.CASCADE, related_name="findings"
    )
    asset = models.ForeignKey(
        "activity.ContentAsset", on_delete=models.CASCADE, related_name="copy_findings"
    )
    fact = models.CharField(max_length=100, db_index=True, help_text="The catalog fact's id")
    kind = models.CharField(max_length=32)
    sentence = models.TextField()
    subject = models.CharField(max_length=255, blank=True)
    truth = models.TextField()
    rewrite = models.TextField(blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    method = models.CharField(max_length=16)

    class Meta:
        ordering = ["asset_id", "start", "id"]

    def __str__(self) -> str:
        return f"{self.fact}: {self.sentence[:60]}"
