"""The lead contract's versions, the signatures on them, and the log of what happened.

A version's text never changes once proposed: the model refuses it and a database
trigger refuses it too (only its status and the moments it started and stopped
applying move on). Approvals and the event log are append-only records.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from revloop.core.append_only import (
    AppendOnlyModel,
    VersionedDocument,
    VersionQuerySet,
)


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


#: What may change after a version is proposed; everything else is the signed record.
VERSION_MUTABLE_FIELDS = frozenset({"status", "activated_at", "ended_at"})


class ContractVersion(VersionedDocument):
    """One version of the lead contract, exactly as it was proposed."""

    MUTABLE_FIELDS: ClassVar[frozenset[str]] = VERSION_MUTABLE_FIELDS
    FROZEN_MESSAGE: ClassVar[str] = "a contract version's content never changes once proposed"
    KEPT_MESSAGE: ClassVar[str] = "contract versions are kept forever"

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    text = models.TextField(help_text="The YAML as proposed, comments and all")
    digest = models.CharField(
        max_length=64, db_index=True, help_text="Fingerprint of what the contract means"
    )
    status = models.CharField(max_length=16, choices=ContractStatus.choices)
    note = models.TextField(blank=True, help_text="Why it was proposed")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when revloop installed it or it came from the command line",
    )
    proposed_at = models.DateTimeField()
    base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version that was active when this one was proposed",
    )
    diff = models.JSONField(default=dict, blank=True, help_text="Changes from the base version")
    diff_text = models.TextField(blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was superseded or withdrawn"
    )

    objects = VersionQuerySet["ContractVersion"].as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="contract_one_active_version",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.name} ({self.status})"


class ContractApproval(AppendOnlyModel):
    """A signature: who approved which version, holding which roles at that moment."""

    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    roles = models.JSONField(default=list, help_text="The user's roles when approving")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="contract_approval_once"),
        ]

    def __str__(self) -> str:
        return f"v{self.version.number} approved by {self.user} ({', '.join(self.roles)})"


class ContractEventKind(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVATED = "activated", "Activated"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ContractEvent(AppendOnlyModel):
    """The log of each version's life: proposed, activated, superseded, withdrawn."""

    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=ContractEventKind.choices)
    at = models.DateTimeField()
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"v{self.version.number} {self.kind} at {self.at:%Y-%m-%d %H:%M}"
