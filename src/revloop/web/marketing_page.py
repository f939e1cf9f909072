"""What the Marketing page shows: the reports of ``revloop.analytics`` laid out as
charts and tables (funnel with drop-off, velocity, attribution with a model picker and
models side by side, content effectiveness, rejection reasons)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from revloop.analytics.cache import page_max_age
from revloop.analytics.periods import conversion_period, named_periods
from revloop.analytics.rates import attribution_rates, comparison_rates, funnel_rates
from revloop.analytics.reports import (
    DEFAULT_COMPARE,
    LEVELS,
    MODEL_LABELS,
    OUTCOMES,
    AttributionParams,
    Reports,
)
from revloop.core.bounds import check_lookback
from revloop.core.errors import InvalidInputError
from revloop.engine.analytics import DIMENSIONS, REJECTION_SLICES, Period
from revloop.engine.analytics.content import FLAG_LITTLE_REVENUE
from revloop.engine.vocabulary import LifecycleStage
from revloop.users.models import User
from revloop.users.policy import require
from revloop.web.charts import (
    FunnelStage,
    bar_chart,
    funnel_chart,
    spread_chart,
    stacked_bar_chart,
)
from revloop.web.misinformed_section import excess_by_asset, misinformed_section

_STAGE_LABELS = {stage.value: stage.label for stage in LifecycleStage}
#: Reasons shown in their own colour; the rest are summed as "other".
_TOP_REASONS = 8
#: Assets named under the period's revenue headline; the content table has them all.
_TOP_ASSETS = 10


@dataclass(frozen=True)
class PageParams:
    """The page's query string, checked."""

    by: str
    attribution: AttributionParams
    rejections_by: str
    #: The conversions counted (attribution and content); ``None``: all time.
    period: Period | None = None

    @classmethod
    def parse(cls, query: QueryDict) -> PageParams:
        by = query.get("by", "")
        if by and by not in DIMENSIONS:
            raise InvalidInputError(f"by: {by!r} is not one of {', '.join(DIMENSIONS)}")
        rejections_by = query.get("rejections_by", "source")
        if rejections_by not in REJECTION_SLICES:
            raise InvalidInputError(f"rejections_by: {rejections_by!r} is not a slice")
        lookback_days = check_lookback(query.get("lookback_days", "90"))
        period = conversion_period(query.get("period"), query.get("from"), query.get("to"))
        return cls(
            by=by,
            attribution=AttributionParams(
                model=query.get("model", "markov"),
                outcome=query.get("outcome", "revenue"),
                level=query.get("level", "channel"),
                lookback_days=lookback_days,
                period=period,
            ),
            rejections_by=rejections_by,
            period=period,
        )


def _stage(value: str) -> str:
    # Stages that are not lifecycle stages: an opportunity's own ("won", "proposal").
    return _STAGE_LABELS.get(value, value.replace("_", " ").capitalize())


def _is_overall(step: dict[str, Any]) -> bool:
    return bool(step["from_stage"] == "lead" and step["to_stage"] == "customer")


def _bar(step: dict[str, Any]) -> FunnelStage:
    return FunnelStage(
        label=_stage(step["from_stage"]),
        count=step["entered"],
        next_label=_stage(step["to_stage"]),
        converted=step["converted"],
        lost=step["lost"],
        still_open=step["still_open"],
    )


def funnel_section(reports: Reports, by: str) -> dict[str, Any]:
    overall = funnel_rates(reports.funnel())
    path = [s for s in overall["steps"] if not _is_overall(s)]
    stages = [_bar(s) for s in path]
    if path:
        stages.append(FunnelStage(label=_stage(path[-1]["to_stage"]), count=path[-1]["converted"]))
    velocity = [
        (
            f"{_stage(s['from_stage'])} → {_stage(s['to_stage'])}",
            s["days_in_stage_p25"] or 0.0,
            s["days_in_stage_p50"] or 0.0,
            s["days_in_stage_p75"] or 0.0,
            s["days_in_stage_p90"] or 0.0,
        )
        for s in path
        if s["days_in_stage_p50"] is not None
    ]
    return {
        "report": overall,
        "steps": overall["steps"],
        "chart": funnel_chart(stages),
        "velocity_chart": spread_chart(velocity),
        "sliced": funnel_rates(reports.funnel(by=(by,))) if by else None,
        "by": by,
        "dimensions": DIMENSIONS,
    }


def attribution_section(reports: Reports, params: AttributionParams) -> dict[str, Any]:
    found = attribution_rates(reports.attribution(params))
    credit = found["credit"][:15]
    comparison = comparison_rates(reports.comparison(params, DEFAULT_COMPARE))
    return {
        "report": found,
        "chart": bar_chart(
            [(row["label"], row["value"]) for row in credit], label_width=200, unit="money"
        ),
        "comparison": comparison,
        "params": params,
        "models": MODEL_LABELS,
        "outcomes": OUTCOMES,
        "levels": LEVELS,
    }


def content_section(
    reports: Reports, misinformed: dict[str, Any] | None = None, period: Period | None = None
) -> dict[str, Any]:
    found = reports.content(period=period)
    assets = [a for a in found["assets"] if a["touches"] > 0]
    # The misinformed column shows the excess rate (saw it vs did not), never a count.
    excess = excess_by_asset(misinformed) if misinformed else {}
    for asset in assets:
        asset["little_revenue"] = FLAG_LITTLE_REVENUE in asset["flags"]
        if misinformed is not None:
            asset["misinformed"] = excess.get(asset["content_id"], "-")
    earning = [a for a in assets if a["attributed_revenue"] > 0]
    top = sorted(earning, key=lambda a: (-a["attributed_revenue"], a["title"]))[:_TOP_ASSETS]
    return {"report": found, "assets": assets, "top": top}


def period_section(params: PageParams) -> dict[str, Any]:
    """The period picker: the named periods as they read today, or explicit days."""
    period = params.period
    named = period is not None and period.named
    return {
        "period": period,
        "choices": named_periods(),
        "name": period.key if period is not None and named else "",
        "first_day": period.first_day if period is not None and not named else None,
        "last_day": period.last_day if period is not None and not named else None,
    }


def rejections_section(reports: Reports, by: str) -> dict[str, Any]:
    found = reports.rejections(by)
    reasons = found["reasons"]
    shown = reasons[:_TOP_REASONS]
    rows: dict[str, dict[str, float]] = {}
    for row in found["rows"]:
        key = row["reason"] if row["reason"] in shown else "other"
        parts = rows.setdefault(row["value"], {})
        parts[key] = parts.get(key, 0.0) + row["rejections"]
    ordered = sorted(rows.items(), key=lambda item: -sum(item[1].values()))[:20]
    keys = [*shown, "other"] if len(reasons) > len(shown) else shown
    table = [
        {
            "value": value,
            "total": int(sum(parts.values())),
            "counts": [int(parts.get(k, 0)) for k in keys],
        }
        for value, parts in ordered
    ]
    return {
        "report": found,
        "chart": stacked_bar_chart(ordered, keys),
        "keys": keys,
        "table": table,
        "by": by,
        "slices": REJECTION_SLICES,
    }


def marketing_page(viewer: User, params: PageParams) -> dict[str, Any]:
    require(viewer, "analytics.read")
    with Reports(max_age=page_max_age()) as reports:
        misinformed = misinformed_section()
        return {
            "period": period_section(params),
            "funnel": funnel_section(reports, params.by),
            "attribution": attribution_section(reports, params.attribution),
            "content": content_section(reports, misinformed, params.period),
            "misinformed": misinformed,
            "rejections": rejections_section(reports, params.rejections_by),
        }


def attribution_fragment(viewer: User, params: PageParams) -> dict[str, Any]:
    require(viewer, "analytics.read")
    with Reports(max_age=page_max_age()) as reports:
        return {"attribution": attribution_section(reports, params.attribution)}
