"""The pipeline reacts to what the contexts below it announce (:mod:`revloop.core.signals`)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from revloop.core.signals import people_merging, person_exporting
from revloop.pipeline.actions import do_drop_clashing_roles
from revloop.pipeline.models import Opportunity, OpportunityContact


@receiver(people_merging, dispatch_uid="pipeline.people_merging")
def keep_one_role_per_opportunity(sender: Any, mapping: dict[int, int], **kwargs: Any) -> None:
    """One role per person and opportunity: when the merged people would meet on an
    opportunity, the survivor's role stays, else the earliest duplicate's."""
    do_drop_clashing_roles(mapping)


@receiver(person_exporting, dispatch_uid="pipeline.person_exporting")
def export_opportunities(sender: Any, person_id: int, **kwargs: Any) -> tuple[str, Any]:
    contact_of = OpportunityContact.objects.filter(person_id=person_id).values("opportunity_id")
    opportunities = Opportunity.objects.filter(
        primary_contact_id=person_id
    ) | Opportunity.objects.filter(pk__in=contact_of)
    return "opportunities", list(
        opportunities.distinct()
        .order_by("pk")
        .values("name", "stage", "amount", "currency", "close_date")
    )
