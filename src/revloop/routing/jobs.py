"""The worker's routing jobs: route what is waiting, sweep the clocks, score Marketing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from revloop.routing.actions import do_record_marketing_weeks, do_route_people
from revloop.routing.sweep import next_sla_moment, sweep_sla_clocks
from revloop.worker.registry import periodic


# At each deadline or reminder time (the worker looks at most once a second), and every
# 30 seconds for what the clocks' times do not tell (attempts synced from the CRM).
@periodic(every=timedelta(seconds=30), name="routing.sweep_sla_clocks", wake=next_sla_moment)
def sweep(now: datetime) -> dict[str, Any] | None:
    return sweep_sla_clocks(now)


@periodic(every=timedelta(seconds=30), name="routing.route_unassigned")
def route_unassigned(now: datetime) -> dict[str, Any] | None:
    summary = do_route_people(None, now)
    return summary if summary["considered"] else None


@periodic(every=timedelta(days=7), name="routing.marketing_sla")
def marketing_sla(now: datetime) -> dict[str, Any] | None:
    return do_record_marketing_weeks(now)
