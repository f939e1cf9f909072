"""Who works which lead, the SLA clocks that run while they do, and both teams' record.

Assignments and breaches are history: written once, never rewritten (an assignment
may only be closed, when the lead moves to another rep). Clocks and absences are
working state that the sweep and the reps' actions update.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from revloop.core.append_only import AppendOnlyModel
from revloop.engine.sla.stops import Clock


class RepAbsence(models.Model):
    """A rep away (holiday, sick, training): routing passes them over on these days.

    Both dates are inclusive and read in the rep's own time zone.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    starts = models.DateField()
    ends = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts"]
        indexes = [models.Index(fields=["user", "ends"], name="absence_user_ends")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} away {self.starts} to {self.ends}"


class Assignment(AppendOnlyModel):
    """One lead given to one rep: the rule that chose them and who was skipped, and why."""

    # A merge re-points the person; a re-assignment closes the record (never rewrites it).
    movable_fields = ("person", "ended_at", "ended_reason")

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assignments"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    at = models.DateTimeField()
    rule_id = models.CharField(max_length=100, help_text="The routing rule that chose the rep")
    team = models.CharField(max_length=64, blank=True)
    skipped = models.JSONField(
        default=list, blank=True, help_text="[{username, reason}] passed over before the rep"
    )
    explanation = models.TextField(blank=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who re-assigned by hand; empty when the routing rules chose",
    )
    contract_version = models.ForeignKey(
        "contracts.ContractVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "at"], name="assignment_person_time"),
            models.Index(fields=["rep", "at"], name="assignment_rep_time"),
        ]

    def __str__(self) -> str:
        return f"person {self.person_id} → {self.rep} ({self.rule_id})"


class ClockKind(models.TextChoices):
    """The engine's clocks (``revloop.engine.sla.stops.Clock``), with labels."""

    FIRST_TOUCH = Clock.FIRST_TOUCH.value, "First touch"
    ATTEMPTS = Clock.ATTEMPTS.value, "Attempts"
    ACCEPT_OR_REJECT = Clock.ACCEPT_OR_REJECT.value, "Accept or reject"


class SlaClock(models.Model):
    """One promise Sales made on one assignment, counted in the rep's business hours.

    The sweep claims each step (reminder, breach) with a conditional UPDATE on its
    timestamp, so a second or restarted worker never repeats one.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="clocks")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="clocks")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sla_clocks"
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    attempts_done = models.PositiveIntegerField(default=0)
    attempts_needed = models.PositiveIntegerField(default=0)
    synced_attempts = models.PositiveIntegerField(
        default=0, help_text="Of attempts_done, those synced as touches (the sweep credits them)"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=64, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="clock_open_due",
                condition=models.Q(stopped_at__isnull=True, breached_at__isnull=True),
            ),
            models.Index(
                fields=["remind_at"],
                name="clock_open_remind",
                condition=models.Q(stopped_at__isnull=True, reminded_at__isnull=True),
            ),
            models.Index(fields=["person", "kind"], name="clock_person_kind"),
            models.Index(fields=["rep", "stopped_at"], name="clock_rep_open"),
            models.Index(fields=["due_at", "kind"], name="clock_due_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for person {self.person_id}, due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def met(self) -> bool:
        return self.breached_at is None and self.stopped_at is not None


class SlaBreach(AppendOnlyModel):
    """A deadline passed with the promise unkept: who missed it, and whom it went to."""

    movable_fields = ("person",)

    clock = models.OneToOneField(SlaClock, on_delete=models.PROTECT, related_name="breach")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    due_at = models.DateTimeField()
    detected_at = models.DateTimeField()
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reassigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["rep", "due_at"], name="breach_rep_due")]

    def __str__(self) -> str:
        return f"{self.kind} breached by {self.rep} on person {self.person_id}"


class MarketingSlaWeek(models.Model):
    """Marketing's side of the deal for one week (Monday to Monday, company time)."""

    week_start = models.DateField(unique=True)
    mqls = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    acceptance_rate = models.FloatField(
        null=True, blank=True, help_text="accepted / (accepted + rejected); empty with neither"
    )
    mql_target = models.PositiveIntegerField()
    min_acceptance_rate = models.FloatField()
    volume_met = models.BooleanField()
    acceptance_met = models.BooleanField(null=True)
    computed_at = models.DateTimeField()
    contract_version = models.ForeignKey(
        "contracts.ContractVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"marketing SLA, week of {self.week_start}"

    @property
    def met(self) -> bool:
        return self.volume_met and self.acceptance_met is not False
