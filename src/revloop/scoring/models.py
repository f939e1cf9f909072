"""A record of every scoring run: what it covered, under which contract, how long it took."""

from __future__ import annotations

from django.db import models


class ScoringRun(models.Model):
    """One rescore. ``touch_watermark`` is the newest touch id the run could see; the next
    incremental run rescores the people with a touch beyond it."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(help_text="Everyone, or only the people who changed")
    trigger = models.CharField(
        max_length=32, help_text="command, activation, events, seed …", default="command"
    )
    contract_version = models.ForeignKey(
        "contracts.ContractVersion", on_delete=models.PROTECT, related_name="+"
    )
    touch_watermark = models.BigIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    moved = models.JSONField(default=dict, blank=True, help_text="Automatic moves, by stage")
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        scope = "full" if self.full else "incremental"
        return f"{scope} rescore of {self.people} at {self.started_at:%Y-%m-%d %H:%M}"
