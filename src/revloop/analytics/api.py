"""The closed-loop reports over the API: funnel, attribution, content, rejections, and
opportunities and leads by their own columns."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from revloop.analytics.insights import insights_report
from revloop.analytics.lift import campaign_lift
from revloop.analytics.misinformed import misinformed_report
from revloop.analytics.paths import jsonable
from revloop.analytics.periods import conversion_period
from revloop.analytics.rates import attribution_rates, funnel_rates
from revloop.analytics.reports import AttributionParams, Reports
from revloop.core.bounds import BoundedDate
from revloop.engine.analytics import Period
from revloop.engine.truth.misinformed import DEFAULT_THRESHOLD
from revloop.pipeline.reports import leads_by, opportunities_by
from revloop.users.policy import require
from revloop.users.requests import ApiRequest

router = Router(tags=["analytics"])


class EngineIn(Schema):
    engine: str | None = Field(
        None, description="auto, database, duckdb or spark (default REVLOOP_ANALYTICS_ENGINE)"
    )
    fresh: bool = Field(False, description="recompute even if the cached report is current")


class FunnelIn(EngineIn):
    by: list[str] = Field(
        [],
        description="slice by up to two of: source, channel, campaign, content, segment, "
        "icp_grade, industry, region, persona, rep, cohort",
    )
    cohort_from: BoundedDate | None = Field(None, alias="from", description="people created from")
    cohort_to: BoundedDate | None = Field(None, alias="to", description="people created before")


class PeriodIn(EngineIn):
    period: str | None = Field(
        None,
        description="count only conversions in this-quarter, last-quarter, this-year or "
        "last-year (in the company's time zone); default all time",
    )
    period_from: date | None = Field(
        None, alias="from", description="or: conversions from this day (1900-2200)"
    )
    period_to: date | None = Field(
        None, alias="to", description="and/or: up to this day, inclusive (1900-2200)"
    )

    def conversion_period(self) -> Period | None:
        return conversion_period(self.period, self.period_from, self.period_to)


class AttributionIn(PeriodIn):
    model: str = Field(
        "markov",
        description="first, last, linear, u_shaped, w_shaped, "
        "full_path, time_decay, j_shaped, inverse_j, markov or shapley",
    )
    outcome: str = Field("revenue", description="mql, pipeline or revenue")
    level: str = Field("channel", description="channel, campaign or content")
    lookback_days: float | None = Field(90.0, description="touches counted before conversion")
    markov_order: int = 1
    half_life_days: float = Field(7.0, description="time decay's half-life")
    compare: list[str] = Field([], description="more models, side by side under comparison")


class ContentIn(PeriodIn):
    lookback_days: float | None = Field(90.0, description="touches credited before conversion")


class LiftIn(Schema):
    campaign: str = Field(..., description="the campaign's name or id")


class RejectionsIn(EngineIn):
    by: str = Field("source", description="source, campaign or content")


def _reports(request: ApiRequest, given: EngineIn) -> Reports:
    require(request.auth, "analytics.read")
    return Reports(engine=given.engine, fresh=given.fresh)


@router.get("/analytics/funnel", response=dict[str, Any])
def funnel(request: ApiRequest, given: Query[FunnelIn]) -> dict[str, Any]:
    """Conversion, drop-off and time in stage (p25/median/p75/p90) of every funnel step,
    cohort-correct: people still in a stage count as open, not lost. Every rate comes
    with ``<rate>_numerator`` and ``<rate>_denominator``."""
    with _reports(request, given) as reports:
        return funnel_rates(
            reports.funnel(by=given.by, cohort_from=given.cohort_from, cohort_to=given.cohort_to)
        )


@router.get("/analytics/attribution", response=dict[str, Any])
def attribution(request: ApiRequest, given: Query[AttributionIn]) -> dict[str, Any]:
    """Credit of one model per label; with ``compare``, several models side by side
    under ``comparison``. Shares come with ``<share>_numerator`` and
    ``<share>_denominator``."""
    require(request.auth, "analytics.read")
    params = AttributionParams(
        model=given.model,
        outcome=given.outcome,
        level=given.level,
        lookback_days=given.lookback_days,
        markov_order=given.markov_order,
        half_life_days=given.half_life_days,
        period=given.conversion_period(),
    )
    with _reports(request, given) as reports:
        found = reports.attribution(params)
        if given.compare:
            found["comparison"] = reports.comparison(params, given.compare)
        return attribution_rates(found)


@router.get("/analytics/content", response=dict[str, Any])
def content(request: ApiRequest, given: Query[ContentIn]) -> dict[str, Any]:
    """Every content asset: touches, downloads, people, their MQL / acceptance /
    pipeline / win rates beside everyone else's (each with ``<rate>_numerator`` and
    ``<rate>_denominator``), attributed pipeline and revenue, misinformed rejections;
    assets with many touches and little revenue first. With a period, the attributed
    money and ``revenue_closed`` count only the conversions in it."""
    with _reports(request, given) as reports:
        return reports.content(given.lookback_days, given.conversion_period())


@router.get("/analytics/rejections", response=dict[str, Any])
def rejections(request: ApiRequest, given: Query[RejectionsIn]) -> dict[str, Any]:
    """Why Sales rejected or disqualified leads, per source, campaign or content."""
    with _reports(request, given) as reports:
        return reports.rejections(given.by)


class MisinformedIn(Schema):
    threshold: float = Field(
        DEFAULT_THRESHOLD, ge=-1, le=1, description="name an asset above this lower bound"
    )


@router.get("/analytics/misinformed", response=dict[str, Any])
def misinformed(request: ApiRequest, given: Query[MisinformedIn]) -> dict[str, Any]:
    """Content ranked by misinformed outcomes: per asset, the rate of leads judged
    misinformed (about a claim it makes) among those who saw it before the verdict
    minus the rate among those who did not, with support (``seen``, ``unseen``) and a
    95% interval (``low``, ``high``); its false sentences with the truth. Observational."""
    require(request.auth, "analytics.read")
    return misinformed_report(threshold=given.threshold)


class InsightsIn(Schema):
    period_days: int = Field(
        30, ge=1, le=366, description="trend: this many days vs the ones before"
    )


@router.get("/analytics/insights", response=dict[str, Any])
def insights(request: ApiRequest, given: Query[InsightsIn]) -> dict[str, Any]:
    """Field insights: questions, objections and notes grouped into topics, each with a
    label, example quotes, how often and its trend, the deals where it came up (open
    pipeline per currency, won of closed) and the content asset that answers it, or
    ``content_gap``."""
    require(request.auth, "analytics.read")
    return insights_report(period_days=given.period_days)


@router.get("/analytics/lift", response=dict[str, Any])
def lift(request: ApiRequest, given: Query[LiftIn]) -> dict[str, Any]:
    """A campaign's lift per outcome (visit, MQL, opportunity, win, revenue after joining).
    With a control group: each arm's rate or mean, absolute and relative lift over the
    control with 95% intervals and p-values (``design`` ``randomised``). Without one:
    members against matched non-members, ``design`` ``observational`` -- a comparison,
    not the campaign's effect."""
    require(request.auth, "analytics.read")
    return jsonable(campaign_lift(given.campaign))


class LabelsIn(Schema):
    by: list[str] = Field(
        ...,
        description="group by up to three columns: a field (source, stage, outcome, owner, "
        "account, currency, competitor, outcome_reason …) or any imported column "
        "(Region, Type, sales_agent …), matched ignoring case and punctuation",
    )


@router.get("/analytics/opportunities", response=dict[str, Any])
def opportunities(request: ApiRequest, given: Query[LabelsIn]) -> dict[str, Any]:
    """Opportunities, won, lost, open, win rate (won / (won + lost), with both parts),
    revenue won and average deal (Decimal, per currency) and median cycle in days per
    label; labels merged by the stored alias map; near-duplicates proposed."""
    require(request.auth, "analytics.read")
    return opportunities_by(given.by)


@router.get("/analytics/leads", response=dict[str, Any])
def leads(request: ApiRequest, given: Query[LabelsIn]) -> dict[str, Any]:
    """Leads, leads with an opportunity, leads won and conversion (won / leads, with
    both parts) per label of the lead (source, persona, any imported column)."""
    require(request.auth, "analytics.read")
    return leads_by(given.by)
