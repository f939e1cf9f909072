"""Who the leads are: accounts (companies) and people (leads and contacts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from revloop.engine.vocabulary import LifecycleStage, choices


class AccountTier(models.TextChoices):
    NONE = "", "Not targeted"
    TIER_1 = "1", "Tier 1"
    TIER_2 = "2", "Tier 2"
    TIER_3 = "3", "Tier 3"


class Account(models.Model):
    name = models.CharField(max_length=255)
    domain = models.CharField(max_length=255, blank=True, db_index=True)
    industry = models.CharField(max_length=100, blank=True)
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    region = models.CharField(max_length=64, blank=True, help_text="Region or territory")
    tier = models.CharField(max_length=1, choices=AccountTier.choices, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )
    external_id = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="id in the system it came from"
    )
    # Columns of an import that revloop has no field for: kept, never dropped.
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="account_name_ci")]

    def __str__(self) -> str:
        return self.name


class Consent(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    GRANTED = "granted", "Granted"
    DENIED = "denied", "Denied"


class Person(models.Model):
    """A lead or contact. The email is unique whatever its letter case.

    A person imported from a file without emails has none; they are known by their
    ``external_id`` and their identity key is ``id:`` + that id (see
    ``revloop.engine.imports.records``).
    """

    email = models.EmailField(max_length=254, blank=True)
    # The identity key (engine.identity.email): one per mailbox, so gmail dots or a
    # +tag never make a second person. Written by every path that stores an email.
    email_key = models.CharField(max_length=254, unique=True, editable=False)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200, blank=True)
    persona = models.CharField(max_length=64, blank=True, help_text="Role in a buying group")
    phone = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=2, blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    stage = models.CharField(
        max_length=16, choices=choices(LifecycleStage), default=LifecycleStage.LEAD
    )
    stage_changed_at = models.DateTimeField()
    # Written in bulk by scoring (revloop.scoring), never by hand: see `revloop score`.
    rule_score = models.FloatField(default=0.0)
    fit_score = models.FloatField(default=0.0)
    engagement_score = models.FloatField(default=0.0)
    grade = models.CharField(
        max_length=1, blank=True, editable=False, help_text="Fit grade A-F; empty until scored"
    )
    scored_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the stored scores were computed"
    )
    predicted_probability = models.FloatField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_people",
    )
    source = models.CharField(max_length=64, blank=True, help_text="First-touch channel")
    consent = models.CharField(max_length=8, choices=Consent.choices, default=Consent.UNKNOWN)
    external_id = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="id in the system it came from"
    )
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "people"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="person_email_ci_unique", condition=~models.Q(email="")
            ),
        ]
        indexes = [
            models.Index(fields=["stage"], name="person_stage"),
            models.Index(fields=["created_at"], name="person_created"),
            models.Index(fields=["owner", "stage"], name="person_owner_stage"),
            # The lead list filters and sorts by these on the whole table.
            models.Index(fields=["rule_score", "id"], name="person_score"),
            models.Index(fields=["source"], name="person_source"),
            models.Index(fields=["grade"], name="person_grade"),
            models.Index(fields=["last_name", "first_name", "id"], name="person_name"),
        ]

    def __str__(self) -> str:
        return self.email or f"#{self.external_id}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or str(self)


class AnonymousIdentity(models.Model):
    """A browser's anonymous id, linked to the person once the visitor identifies."""

    anonymous_id = models.CharField(max_length=128, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="anonymous_ids")
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "anonymous identities"

    def __str__(self) -> str:
        return f"{self.anonymous_id} → {self.person_id}"


class PersonMerge(models.Model):
    """The record of a duplicate merged into a survivor: what differed and what moved."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges")
    merged_person_id = models.BigIntegerField(help_text="id of the removed duplicate")
    merged_email = models.EmailField(max_length=254)
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(max_length=64, help_text="manual, dedupe, import …")
    # The duplicate's values that lost to the survivor's, so nothing is silently dropped.
    conflicts = models.JSONField(default=list, blank=True)
    snapshot = models.JSONField(default=dict, blank=True, help_text="the duplicate as it was")
    moved = models.JSONField(default=dict, blank=True, help_text="records moved, by kind")

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_email} merged into {self.survivor_id}"
