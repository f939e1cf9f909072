"""The deadlines of each Sales promise, in the business hours of the rep it binds.

An assignment starts three clocks: first touch, the attempts cadence and accept or
reject, each with a reminder before its deadline. Deadlines depend only on the rep's
calendar and the start, so a backlog routed at one moment computes each deadline
once per rep, however many leads it hands out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings

from revloop.engine.contract import Contract
from revloop.engine.contract.schema import SalesSla, Sla
from revloop.engine.sla import BusinessCalendar, add_business_days
from revloop.routing.models import ClockKind


@dataclass(frozen=True, slots=True)
class ClockPlan:
    kind: str
    due_at: datetime
    remind_at: datetime | None
    attempts_needed: int


def remind_fraction() -> float:
    """The share of an SLA's time after which its reminder goes out (REVLOOP_SLA_REMIND_PERCENT)."""
    return min(int(settings.REVLOOP_SLA_REMIND_PERCENT), 99) / 100


@lru_cache(maxsize=256)
def rep_calendar(sla: Sla, time_zone: str | None, calendar: str | None = None) -> BusinessCalendar:
    """The contract's business hours in the rep's own zone (the contract's without one)."""
    return BusinessCalendar.from_contract(sla, time_zone=time_zone or None, calendar=calendar)


def _remind(
    calendar: BusinessCalendar, start: datetime, span: timedelta, sales: SalesSla, share: float
) -> datetime | None:
    if sales.remind_before_business_hours is not None:
        lead = timedelta(hours=sales.remind_before_business_hours)
        if lead >= span:
            return None
        return calendar.add(start, span - lead)
    return calendar.add(start, span * share)


@lru_cache(maxsize=4096)
def _cached_plans(
    sales: SalesSla, calendar: BusinessCalendar, start: datetime, share: float
) -> tuple[ClockPlan, ...]:
    return tuple(_plans(sales, calendar, start, share))


def plans_for(
    contract: Contract, calendar: BusinessCalendar, start: datetime
) -> tuple[ClockPlan, ...]:
    """The clocks an assignment made at ``start`` runs, with deadlines and reminders."""
    return _cached_plans(contract.sla.sales, calendar, start, remind_fraction())


def _plans(
    sales: SalesSla, calendar: BusinessCalendar, start: datetime, share: float
) -> Iterable[ClockPlan]:
    first_touch = timedelta(hours=sales.first_touch_within_business_hours)
    yield ClockPlan(
        ClockKind.FIRST_TOUCH.value,
        calendar.add(start, first_touch),
        _remind(calendar, start, first_touch, sales, share),
        0,
    )
    if sales.attempts > 0:
        due = add_business_days(calendar, start, sales.attempts_within_business_days)
        span = calendar.day_length * sales.attempts_within_business_days
        yield ClockPlan(
            ClockKind.ATTEMPTS.value,
            due,
            _remind(calendar, start, span, sales, share),
            sales.attempts,
        )
    decide = timedelta(hours=sales.accept_or_reject_within_business_hours)
    yield ClockPlan(
        ClockKind.ACCEPT_OR_REJECT.value,
        calendar.add(start, decide),
        _remind(calendar, start, decide, sales, share),
        0,
    )
