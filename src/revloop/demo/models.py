"""What a demo seeding generated: enough to rebuild it, and what it planted."""

from __future__ import annotations

from django.db import models


class DemoSeed(models.Model):
    """One seeding of the demo company: the generator's configuration and the one
    planted fact that depends on its random draw (the stuffed opportunities)."""

    leads = models.PositiveIntegerField()
    seed = models.PositiveIntegerField()
    #: The generator's ``now``: the same (leads, seed, now, months) gives the same data.
    generated_for = models.DateTimeField()
    months = models.PositiveSmallIntegerField()
    seeded_at = models.DateTimeField(auto_now_add=True)
    #: ``pipeline_opportunity`` ids of the opportunities stuffed into the pipeline.
    stuffed_opportunity_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["-seeded_at", "-id"]

    def __str__(self) -> str:
        return f"demo seed {self.seed}, {self.leads} leads, for {self.generated_for:%Y-%m-%d}"
