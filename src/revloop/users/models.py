"""People who use revloop (not the leads they work): users, roles, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from revloop.core.append_only import AppendOnlyModel
from revloop.engine.vocabulary import Role

TOKEN_PREFIX = "rl_"  # noqa: S105 - a public marker, not a secret


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"unknown time zone {value!r}")


class User(AbstractUser):
    """A revloop user; the role is a Django group named after :class:`Role`."""

    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA zone; SLA clocks run in this user's business hours.",
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Who breaches escalate to.",
    )
    team = models.CharField(max_length=64, blank=True)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.name for g in self.groups.all())

    def has_role(self, *roles: Role) -> bool:
        if self.is_superuser:
            return True
        return bool(self.roles & {r.value for r in roles})


class TokenScope(models.TextChoices):
    FULL = "full", "Full access (acts as the user)"
    INGEST = "ingest", "Ingestion only (events, identify, forms)"


def hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: there is no
    # dictionary to guess from, unlike passwords.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=16, choices=TokenScope.choices, default=TokenScope.FULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, scope: str = TokenScope.FULL) -> tuple[ApiToken, str]:
        """Create a token and return it with the raw secret (never stored)."""
        prefix = secrets.token_hex(4)
        raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(
            user=user, name=name, prefix=prefix, key_hash=hash_token(raw), scope=scope
        )
        return token, raw


class AuditEntry(AppendOnlyModel):
    """One change someone made, kept for good: who, when, what, to which record.

    Written by the actions in the same transaction as the change, so a change that
    rolled back leaves no entry and a committed one always has one. ``detail`` holds
    what is needed to understand the change, never the personal data it touched.
    """

    at = models.DateTimeField(db_index=True)
    # The actor may be deleted later; the name they had at the time stays.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="empty: revloop itself")
    action = models.CharField(max_length=64, db_index=True, help_text="e.g. lead.assigned")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    movable_fields = ("actor",)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'revloop'} {self.action}"


class RateBucket(models.Model):
    """A token bucket (see :mod:`revloop.users.throttle`): how many requests a key has
    left and when it was last refilled. In the database because every web worker
    shares it; not domain state, and nothing else reads it."""

    key = models.CharField(max_length=128, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.tokens:.1f}"
