"""The pipeline reacts to what the contexts below it announce (:mod:`revloop.core.signals`)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from revloop.core.signals import people_merging
from revloop.pipeline.actions import do_drop_clashing_roles


@receiver(people_merging, dispatch_uid="pipeline.people_merging")
def keep_one_role_per_opportunity(sender: Any, mapping: dict[int, int], **kwargs: Any) -> None:
    """One role per person and opportunity: when the merged people would meet on an
    opportunity, the survivor's role stays, else the earliest duplicate's."""
    do_drop_clashing_roles(mapping)
