"""The lifecycle history: every stage change, append-only, under the contract of its time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from revloop.core.append_only import AppendOnlyModel
from revloop.engine.vocabulary import LifecycleStage, choices


class StageTransition(AppendOnlyModel):
    """Who moved a person from one stage to another, when, and why."""

    movable_fields = ("person",)

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="transitions"
    )
    from_stage = models.CharField(max_length=16, choices=choices(LifecycleStage), blank=True)
    to_stage = models.CharField(max_length=16, choices=choices(LifecycleStage))
    at = models.DateTimeField()
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_rule = models.CharField(
        max_length=100, blank=True, help_text="The automatic rule, when no user made it"
    )
    reason_code = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    contract_version = models.ForeignKey(
        "contracts.ContractVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The contract that allowed the move; empty for imported and demo history",
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["person", "at"], name="transition_person_time"),
            models.Index(fields=["to_stage", "at"], name="transition_stage_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_stage=models.F("to_stage")),
                name="transition_changes_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage} at {self.at:%Y-%m-%d}"
