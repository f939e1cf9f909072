"""Goals of each team, and the record of every change made to one.

A goal is unique per team (and group of reps), metric and period: setting it again
changes its target, and :class:`GoalChange` keeps what it was, who changed it and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from revloop.core.append_only import AppendOnlyModel
from revloop.engine.goals import METRICS, Period, Team
from revloop.engine.goals.periods import KINDS

METRIC_CHOICES = [(m.name, m.label) for m in METRICS.values()]


class Goal(models.Model):
    team = models.CharField(max_length=16, choices=[(t.value, t.value) for t in Team])
    group = models.CharField(
        max_length=64, blank=True, help_text="The users' team, for a goal of a group of reps"
    )
    metric = models.CharField(max_length=32, choices=METRIC_CHOICES)
    period_kind = models.CharField(max_length=8, choices=[(k, k) for k in KINDS])
    period_start = models.DateField()
    period_end = models.DateField(help_text="The first day after the period")
    target = models.DecimalField(
        max_digits=18, decimal_places=4, help_text="Count, amount, share (0..1) or days"
    )
    currency = models.CharField(max_length=3, blank=True)
    #: For a relative target: the change (0.10 for +10%), against which baseline,
    #: and the baseline's value when the goal was set.
    change = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    baseline = models.CharField(max_length=16, blank=True)
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["period_start", "team", "group", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "group", "metric", "period_start", "period_end"],
                name="goal_once_per_team_metric_period",
            ),
            models.CheckConstraint(condition=models.Q(target__gt=0), name="goal_target_gt_0"),
        ]
        indexes = [models.Index(fields=["period_end"], name="goal_period_end")]

    def __str__(self) -> str:
        return f"{self.owner_label}: {self.metric} in {self.period.label}"

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_start, self.period_end)  # type: ignore[arg-type]

    @property
    def owner_label(self) -> str:
        return self.group if self.team == Team.GROUP else self.team.capitalize()


class GoalChange(AppendOnlyModel):
    """A goal's target as set at one moment: the first setting, and every change."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField()
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.DecimalField(max_digits=18, decimal_places=4)
    old_target = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    change = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    baseline = models.CharField(max_length=16, blank=True)
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"goal {self.goal_id}: {self.old_target} → {self.target}"
