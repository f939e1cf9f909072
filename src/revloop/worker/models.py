"""Where each periodic job stands (its next slot) and the log of its runs."""

from __future__ import annotations

from django.db import models


class JobSchedule(models.Model):
    """One row per periodic job: the next slot, claimed by the one worker that moves it on."""

    name = models.CharField(max_length=200, primary_key=True)
    every_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField(db_index=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_seconds = models.FloatField(null=True, blank=True)
    last_result = models.JSONField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a periodic job: append-only, kept for the admins to read."""

    job = models.CharField(max_length=200, db_index=True)
    slot = models.DateTimeField(help_text="The due time this run was claimed for.")
    worker = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def ok(self) -> bool:
        return self.finished_at is not None and not self.error


class WorkerHeartbeat(models.Model):
    """When each running worker last went round its loop; ``/healthz`` reads the latest."""

    worker = models.CharField(max_length=64, primary_key=True)
    queues = models.JSONField(default=list)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at:%H:%M:%S}"
