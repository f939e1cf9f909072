"""Computed reports, kept until the data they were computed from changes."""

from __future__ import annotations

from django.db import models


class ReportCache(models.Model):
    """One computed report (funnel, attribution, content, rejections) for one set of
    parameters and one engine, with the data version it was computed from.

    A report is served from here while the data version (see
    :func:`revloop.analytics.cache.data_version`) is unchanged; any new touch,
    transition, opportunity change, person or opportunity makes it stale.
    """

    key = models.CharField(max_length=64, unique=True, help_text="sha256 of report+params")
    report = models.CharField(max_length=32)
    params = models.JSONField()
    engine = models.CharField(max_length=16)
    data_version = models.CharField(max_length=200)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long computing it took")
    result = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["report", "computed_at"], name="report_cache_time")]

    def __str__(self) -> str:
        return f"{self.report} {self.params} @ {self.data_version}"
