"""The company at a glance: record counts and the home page's headline figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from pydantic import BaseModel

from revloop.activity.models import Campaign, ContentAsset, Touch
from revloop.engine.vocabulary import LifecycleStage, OpportunityStage
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity


class Money(BaseModel):
    amount: Decimal
    currency: str


class CompanyStats(BaseModel):
    accounts: int
    people: int
    touches: int
    campaigns: int
    content_assets: int
    opportunities: int
    people_per_stage: dict[str, int]


class StageCount(BaseModel):
    stage: str
    label: str
    count: int


class HomeFigures(BaseModel):
    people_per_stage: list[StageCount]
    touches_last_30_days: int
    opportunities_last_30_days: int
    open_pipeline: list[Money]
    won_this_quarter: list[Money]
    quarter_start: date
    as_of: datetime


def people_per_stage() -> dict[str, int]:
    """Every stage, in lifecycle order, including the empty ones."""
    counts = dict(Person.objects.values_list("stage").annotate(n=Count("id")).order_by())
    return {stage.value: counts.get(stage.value, 0) for stage in LifecycleStage}


def company_stats() -> CompanyStats:
    return CompanyStats(
        accounts=Account.objects.count(),
        people=Person.objects.count(),
        touches=Touch.objects.count(),
        campaigns=Campaign.objects.count(),
        content_assets=ContentAsset.objects.count(),
        opportunities=Opportunity.objects.count(),
        people_per_stage=people_per_stage(),
    )


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _sum_by_currency(queryset: QuerySet[Opportunity]) -> list[Money]:
    rows = queryset.values("currency").annotate(total=Sum("amount")).order_by("currency")
    return [Money(amount=row["total"], currency=row["currency"]) for row in rows]


def home_figures(now: datetime | None = None) -> HomeFigures:
    now = now or timezone.now()
    since = now - timedelta(days=30)
    q_start = quarter_start(timezone.localdate(now))
    q_start_at = timezone.make_aware(datetime.combine(q_start, datetime.min.time()))
    open_stages = [s.value for s in OpportunityStage if not s.is_closed]
    per_stage = people_per_stage()
    return HomeFigures(
        people_per_stage=[
            StageCount(stage=stage.value, label=stage.label, count=per_stage[stage.value])
            for stage in LifecycleStage
        ],
        touches_last_30_days=Touch.objects.filter(
            occurred_at__gt=since, occurred_at__lte=now
        ).count(),
        opportunities_last_30_days=Opportunity.objects.filter(
            created_at__gt=since, created_at__lte=now
        ).count(),
        open_pipeline=_sum_by_currency(Opportunity.objects.filter(stage__in=open_stages)),
        won_this_quarter=_sum_by_currency(
            Opportunity.objects.filter(
                stage=OpportunityStage.WON, closed_at__gte=q_start_at, closed_at__lte=now
            )
        ),
        quarter_start=q_start,
        as_of=now,
    )
