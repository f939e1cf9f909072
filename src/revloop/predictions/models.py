"""Trained predictive models: every one kept, with the figures it was judged by."""

from __future__ import annotations

from django.db import models


class PredictiveModel(models.Model):
    """One training run: the fitted model, its honest evaluation, and whether it scores."""

    trained_at = models.DateTimeField()
    trigger = models.CharField(max_length=16, help_text="command, schedule …")
    algorithm = models.CharField(max_length=32)
    rows = models.PositiveIntegerField(help_text="decided people learned from")
    positives = models.PositiveIntegerField(help_text="of them, customers")
    #: Held-out evaluation of the same pipeline, beside the naive-Bayes baseline.
    evaluation = models.JSONField(default=dict)
    #: The features used and the ones left out (with why), as the model reports them.
    summary = models.JSONField(default=dict)
    blob = models.BinaryField(help_text="the fitted model, joblib-serialised")
    active = models.BooleanField(default=False)
    people_scored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-trained_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} model of {self.trained_at:%Y-%m-%d %H:%M}"
