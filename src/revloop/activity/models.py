"""What people did: touches, and the campaigns and content behind them."""

from __future__ import annotations

from django.db import models

from revloop.engine.vocabulary import Channel, ContentKind, TouchType, choices


class Campaign(models.Model):
    name = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=32, choices=choices(Channel))
    utm_campaign = models.CharField(max_length=200, blank=True, db_index=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContentAsset(models.Model):
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=32, choices=choices(ContentKind))
    url = models.CharField(max_length=2000, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    # Kept whole so the copy checker (truth in messaging) can read what was promised.
    body = models.TextField(blank=True)
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Touch(models.Model):
    """One event. ``event_id`` is globally unique: sending it twice stores it once."""

    event_id = models.CharField(max_length=128, unique=True)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        # Erasing a person keeps the anonymous aggregate: the touch stays, unlinked.
        on_delete=models.SET_NULL,
        related_name="touches",
        # touch_person_time leads with the person: a second index would only slow
        # every insert down.
        db_index=False,
    )
    anonymous_id = models.CharField(max_length=128, blank=True)
    occurred_at = models.DateTimeField()
    type = models.CharField(max_length=32, choices=choices(TouchType))
    channel = models.CharField(max_length=32, choices=choices(Channel), blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="touches"
    )
    content = models.ForeignKey(
        ContentAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="touches"
    )
    url = models.CharField(max_length=2000, blank=True)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name_plural = "touches"
        indexes = [
            models.Index(fields=["occurred_at"], name="touch_time"),
            models.Index(fields=["person", "occurred_at"], name="touch_person_time"),
            models.Index(
                fields=["anonymous_id"],
                name="touch_anonymous",
                condition=~models.Q(anonymous_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class MemberGroup(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    CONTROL = "control", "Control (holdout)"


class MembershipSource(models.TextChoices):
    IMPORT = "import", "Imported with its group"
    HOLDOUT = "holdout", "Assigned by revloop's random holdout"


class CampaignMember(models.Model):
    """A person in a campaign's audience, in its treatment or its control group.

    The group is fixed when the person joins: moving people between groups afterwards
    would spoil the comparison, so adding the same person again leaves it as it was.
    ``arm`` keeps the file's own label (two e-mail variants are two treatment arms).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    group = models.CharField(max_length=16, choices=MemberGroup.choices)
    arm = models.CharField(max_length=100, blank=True)
    added_at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=MembershipSource.choices)

    class Meta:
        ordering = ["campaign", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="campaign_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.campaign_id} ({self.group})"
