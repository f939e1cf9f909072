"""Where events are sent (endpoints) and every attempt to send one (the delivery log)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models

#: The events an endpoint can subscribe to.
EVENTS = ("lead.assigned", "sla.warning", "sla.breached", "lead.rejected", "lead.accepted")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=200, default=new_secret, help_text="Signs every body (HMAC-SHA256)."
    )
    events = models.JSONField(default=list, help_text=f"Any of: {', '.join(EVENTS)}.")
    active = models.BooleanField(default=True)
    # Set only by an admin (webhooks.actions.do_allow_private_target): a target inside
    # the network, which revloop otherwise refuses (webhooks/targets.py).
    allow_private = models.BooleanField(default=False, editable=False)
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint, with its attempts so far."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: A worker sending this delivery holds it until then; a crashed one lets it go.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhooks_pending_due",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
