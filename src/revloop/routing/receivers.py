"""How routing reacts to the other contexts: new MQLs, decisions, and sales activity.

Each receiver calls one of routing's actions; none writes itself.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from revloop.core.signals import (
    PersonMove,
    people_merged,
    people_moved,
    person_exporting,
    sales_activity_logged,
)
from revloop.engine.sla.stops import Attempt, ClockEvent, EventKind
from revloop.engine.vocabulary import LifecycleStage
from revloop.routing.actions import (
    do_end_merged_assignments,
    do_record_contact_attempts,
    do_route_people,
    do_stop_clocks,
)
from revloop.routing.models import Assignment

logger = logging.getLogger(__name__)

#: New MQLs up to this many are routed at once; a bigger batch (a rescore that
#: promotes thousands) is left to the worker's routing job, which runs every 30 s,
#: so that the request or command that promoted them stays fast.
ROUTE_AT_ONCE_UP_TO = 50

_MQL = LifecycleStage.MQL.value


@receiver(people_moved, dispatch_uid="routing.people_moved")
def on_people_moved(sender: Any, moves: list[PersonMove], **kwargs: Any) -> None:
    new_mqls = [m.person_id for m in moves if m.to_stage == _MQL]
    do_stop_clocks(moves)
    if 0 < len(new_mqls) <= ROUTE_AT_ONCE_UP_TO:
        try:
            do_route_people(new_mqls)
        except Exception:
            # The move itself has committed; the worker's routing job tries again.
            logger.exception("routing %d new MQLs failed; left to the routing job", len(new_mqls))


@receiver(sales_activity_logged, dispatch_uid="routing.sales_activity_logged")
def on_sales_activity(
    sender: Any, person_id: int, user_id: int, kind: str, at: datetime, **kwargs: Any
) -> None:
    """A call, e-mail or meeting by Sales: a contact attempt on the lead's clocks."""
    do_record_contact_attempts(
        [(person_id, ClockEvent(EventKind.CONTACT_ATTEMPT, at, Attempt(kind)))]
    )


@receiver(people_merged, dispatch_uid="routing.people_merged")
def on_people_merged(sender: Any, survivor_ids: list[int], **kwargs: Any) -> None:
    """A merged lead keeps one open assignment: the one of the rep who owns it now."""
    do_end_merged_assignments(survivor_ids, timezone.now())


@receiver(person_exporting, dispatch_uid="routing.person_exporting")
def export_assignments(sender: Any, person_id: int, **kwargs: Any) -> tuple[str, Any]:
    assignments = Assignment.objects.filter(person_id=person_id).order_by("at", "pk")
    return "assignments", list(
        assignments.values(
            "rep__username", "at", "rule_id", "explanation", "ended_at", "ended_reason"
        )
    )
