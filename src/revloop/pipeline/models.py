"""Opportunities, the contacts on them, and their append-only change history."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from revloop.core.append_only import AppendOnlyModel
from revloop.engine.vocabulary import BuyingRole, OpportunityStage, choices


class Opportunity(models.Model):
    name = models.CharField(max_length=255)
    account = models.ForeignKey(
        "people.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    primary_contact = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_opportunities",
    )
    contacts = models.ManyToManyField(
        "people.Person", through="OpportunityContact", related_name="opportunities"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    stage = models.CharField(max_length=16, choices=choices(OpportunityStage))
    close_date = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    source = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.CharField(max_length=64, blank=True, help_text="Why won or lost")
    competitor = models.CharField(max_length=100, blank=True)
    external_id = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="id in the system it came from"
    )
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["stage", "close_date"], name="opportunity_stage_close"),
            models.Index(fields=["created_at"], name="opportunity_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="opportunity_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return OpportunityStage(self.stage).is_closed


class OpportunityContact(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE)
    role = models.CharField(max_length=32, choices=choices(BuyingRole))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "person"], name="opportunity_contact_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} on opportunity {self.opportunity_id}"


class OpportunityChange(AppendOnlyModel):
    """One change of stage, amount or close date; the honest-pipeline checks read these."""

    class Field(models.TextChoices):
        STAGE = "stage"
        AMOUNT = "amount"
        CLOSE_DATE = "close_date"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField()
    field = models.CharField(max_length=16, choices=Field.choices)
    old_value = models.CharField(max_length=64, blank=True)
    new_value = models.CharField(max_length=64)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["opportunity", "at"], name="opp_change_time")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value or '∅'} → {self.new_value}"


class FlagDismissal(AppendOnlyModel):
    """A manager's word that one flag on one deal is not a concern, and why.

    The flag stays on the report, marked dismissed, and no longer counts toward the
    deal being a suspect or toward its rep's health.
    """

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="flag_dismissals"
    )
    #: The check's name (``no_activity``, ``past_due`` …); ``check`` is Django's.
    flag = models.CharField(max_length=32)
    reason = models.TextField()
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["opportunity", "flag"], name="flag_dismissal_deal")]

    def __str__(self) -> str:
        return f"{self.flag} on opportunity {self.opportunity_id} dismissed"
