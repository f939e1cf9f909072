"""What Sales did and heard after the handoff: activities, questions and objections, notes.

All three are append-only: a record of a call or of an objection is evidence that
Marketing's reports and the field insights count, so it is written once and never
rewritten. Only the person pointer moves, when two duplicate people are merged.
Verdicts on a lead (accept, reject, disqualify, lost) are not stored here: they are
stage transitions with a reason code (``lifecycle.StageTransition``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from revloop.core.append_only import AppendOnlyModel


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"


class ActivityOutcome(models.TextChoices):
    NONE = "", "Not recorded"
    CONNECTED = "connected", "Connected"
    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL = "voicemail", "Left a voicemail"
    SENT = "sent", "Sent"
    REPLIED = "replied", "Replied"
    HELD = "held", "Held"
    NO_SHOW = "no_show", "No-show"


class HeardKind(models.TextChoices):
    QUESTION = "question", "Question"
    OBJECTION = "objection", "Objection"


class SalesActivity(AppendOnlyModel):
    """A call, email or meeting with the person; the first one stops the first-touch clock."""

    movable_fields = ("person",)

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="sales_activities"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    at = models.DateTimeField(help_text="When it happened")
    outcome = models.CharField(
        max_length=16, choices=ActivityOutcome.choices, blank=True, default=""
    )
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(help_text="When it was logged")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "sales activities"
        indexes = [models.Index(fields=["person", "at"], name="sales_activity_person_time")]

    def __str__(self) -> str:
        return f"{self.kind} with {self.person_id} at {self.at:%Y-%m-%d %H:%M}"


class HeardItem(AppendOnlyModel):
    """A question or objection a rep heard, in the prospect's words; field insights group them."""

    movable_fields = ("person",)

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="heard")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=HeardKind.choices)
    text = models.TextField()
    topic = models.CharField(
        max_length=100, blank=True, help_text="Optional label the rep gives it, e.g. pricing"
    )
    at = models.DateTimeField(help_text="When it was heard")
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="heard",
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "at"], name="heard_person_time"),
            models.Index(fields=["kind", "at"], name="heard_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:60]}"


class Note(AppendOnlyModel):
    """A free-text note on a person, for whoever works them next."""

    movable_fields = ("person",)

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="notes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"], name="note_person_time")]

    def __str__(self) -> str:
        return self.text[:60]


class MisinformedBelief(AppendOnlyModel):
    """What a lead judged misinformed believed: the catalog fact, as the rep gave it.

    Written with the verdict, in its transaction; the content that person saw which
    makes the same claim is what misinformed them (``feedback.beliefs.trace``).
    """

    movable_fields = ("person",)

    transition = models.OneToOneField(
        "lifecycle.StageTransition", on_delete=models.PROTECT, related_name="belief"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="beliefs")
    fact = models.CharField(max_length=100, db_index=True, help_text="The catalog fact's id")
    said = models.TextField(blank=True, help_text="The belief in the rep's words, when typed")
    catalog_version = models.ForeignKey(
        "catalog.CatalogVersion", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} believed {self.fact}"
