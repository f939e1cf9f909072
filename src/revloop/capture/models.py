"""Capture configuration: the website forms and the website tracker key revloop accepts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from revloop.engine.vocabulary import Channel, choices

#: What a form field may be mapped to; anything unmapped is kept in the touch's properties.
FORM_TARGETS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "persona",
    "phone",
    "country",
    "company",
    "anonymous_id",
    "submission_id",
    "page_url",
)


def validate_mapping(value: object) -> None:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValidationError("the mapping must be an object of form field → revloop field")
    unknown = sorted(set(value.values()) - set(FORM_TARGETS))
    if unknown:
        raise ValidationError(f"unknown targets {unknown}; use {', '.join(FORM_TARGETS)}")
    if "email" not in value.values():
        raise ValidationError("one form field must map to email")


class FormEndpoint(models.Model):
    """A website form posting to /api/v1/forms/<slug>."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    mapping = models.JSONField(
        default=dict,
        validators=[validate_mapping],
        help_text='form field → revloop field, e.g. {"your-email": "email", "fname": "first_name"}',
    )
    channel = models.CharField(max_length=32, choices=choices(Channel), blank=True)
    campaign = models.ForeignKey(
        "activity.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.ForeignKey(
        "activity.ContentAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} (/forms/{self.slug})"


#: Website keys start with this, so a server token pasted into a page is told apart.
SITE_KEY_PREFIX = "rlw_"


class SiteKey(models.Model):
    """The public write key of the website tracker, taken only from its listed origins.

    It is printed in every page of the customer's site, so it is stored as it is (it is no
    secret) and can do little: send page views, tracks and identifies through /v1/, from a
    browser whose ``Origin`` is listed. It reads nothing, merges nobody and changes no account.
    """

    key = models.CharField(max_length=64, unique=True, editable=False)
    origins = models.JSONField(
        default=list, help_text="The sites allowed to send, e.g. https://www.example.com"
    )
    require_consent = models.BooleanField(
        default=False, help_text="The tracker sends nothing until the site calls consent."
    )
    created_by = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key[:12]}… ({', '.join(self.origins) or 'no origin'})"

    def allows(self, origin: str) -> bool:
        return self.revoked_at is None and origin.lower() in self.origins
