"""Touches and campaign audiences in a person's export and erasure."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from revloop.activity.actions import do_scrub_touches
from revloop.activity.models import CampaignMember, Touch
from revloop.core.signals import person_erasing, person_exporting


@receiver(person_exporting, dispatch_uid="activity.person_exporting")
def export_touches(sender: Any, person_id: int, **kwargs: Any) -> tuple[str, Any]:
    touches = Touch.objects.filter(person_id=person_id).order_by("occurred_at", "pk")
    memberships = CampaignMember.objects.filter(person_id=person_id).order_by("added_at")
    return "activity", {
        "touches": list(
            touches.values(
                "event_id",
                "anonymous_id",
                "occurred_at",
                "type",
                "channel",
                "campaign__name",
                "content__title",
                "url",
                "utm_source",
                "utm_medium",
                "utm_campaign",
                "utm_content",
                "utm_term",
                "properties",
            )
        ),
        "campaigns": list(memberships.values("campaign__name", "group", "arm", "added_at")),
    }


@receiver(person_erasing, dispatch_uid="activity.person_erasing")
def erase_touch_identifiers(sender: Any, person_id: int, **kwargs: Any) -> tuple[str, int]:
    return "touches", do_scrub_touches(person_id)
