"""Marketing's side of the SLA: enough MQLs each week, and enough of them accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from revloop.contracts.versions import active_contract
from revloop.engine.vocabulary import LifecycleStage
from revloop.lifecycle.models import StageTransition
from revloop.routing.weeks import week_bounds

#: A rejection is Sales sending an MQL back: to nurture or out of the funnel, by hand.
_REJECTED_TO = (LifecycleStage.RECYCLED.value, LifecycleStage.DISQUALIFIED.value)


@dataclass(frozen=True, slots=True)
class MarketingWeek:
    week_start: date
    mqls: int
    accepted: int
    rejected: int
    acceptance_rate: float | None
    mql_target: int
    min_acceptance_rate: float

    @property
    def volume_met(self) -> bool:
        return self.mqls >= self.mql_target

    @property
    def acceptance_met(self) -> bool | None:
        if self.acceptance_rate is None:
            return None
        return self.acceptance_rate >= self.min_acceptance_rate


def marketing_week(start: date) -> MarketingWeek:
    """The week's MQLs handed over, and how many of those decided Sales accepted."""
    _, contract = active_contract()
    begins, ends = week_bounds(start)
    in_week = StageTransition.objects.filter(at__gte=begins, at__lt=ends)
    mqls = in_week.filter(to_stage=LifecycleStage.MQL).count()
    decided = in_week.filter(from_stage=LifecycleStage.MQL)
    accepted = decided.filter(to_stage=LifecycleStage.SAL).count()
    rejected = decided.filter(Q(to_stage__in=_REJECTED_TO) & Q(by_user__isnull=False)).count()
    rate = accepted / (accepted + rejected) if accepted + rejected else None
    terms = contract.sla.marketing
    return MarketingWeek(
        week_start=begins.date(),
        mqls=mqls,
        accepted=accepted,
        rejected=rejected,
        acceptance_rate=rate,
        mql_target=terms.mql_per_week,
        min_acceptance_rate=terms.min_acceptance_rate,
    )


def summary(week: MarketingWeek) -> dict[str, Any]:
    """A stored week as the job and the command report it."""
    return {
        "week_start": week.week_start.isoformat(),
        "mqls": week.mqls,
        "mql_target": week.mql_target,
        "acceptance_rate": week.acceptance_rate,
        "min_acceptance_rate": week.min_acceptance_rate,
        "met": week.volume_met and week.acceptance_met is not False,
    }
