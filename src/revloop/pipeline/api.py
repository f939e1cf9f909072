"""The honest-pipeline checks and the forecast over the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from revloop.pipeline.actions import do_dismiss_flag
from revloop.pipeline.honesty import forecast_report, pipeline_report
from revloop.users.policy import require

router = Router(tags=["pipeline"])


class AsOfIn(Schema):
    as_of: dt.datetime | None = Field(
        None, description="judge the pipeline as it stood then (default now); timezone-aware"
    )


class ChecksIn(AsOfIn):
    all: bool = Field(False, description="also audit closed deals as they stood before closing")


class ForecastIn(AsOfIn):
    backtest: int = Field(0, ge=0, le=40, description="past quarters to backtest on")


def _as_of(given: AsOfIn) -> dt.datetime | None:
    if given.as_of is not None and given.as_of.tzinfo is None:
        return given.as_of.replace(tzinfo=dt.UTC)
    return given.as_of


@router.get("/pipeline/checks", response=dict[str, Any])
def checks(request: HttpRequest, given: Query[ChecksIn]) -> dict[str, Any]:
    """Every flag with its opportunity, check and evidence; the suspects; health per rep
    and per team with its trend. Thresholds are the active contract's ``pipeline_checks``."""
    require(request.auth, "pipeline.read")  # type: ignore[attr-defined]
    return pipeline_report(now=_as_of(given), include_closed=given.all)


class DismissIn(Schema):
    opportunity: int = Field(..., description="the opportunity's id")
    check: str = Field(..., description="the check's name, as in the flags")
    reason: str = Field(..., description="why the flag is not a concern")


@router.post("/pipeline/dismissals", response={201: dict[str, Any]})
def dismiss(request: HttpRequest, given: DismissIn) -> Status[Any]:
    """Dismiss one flag on one deal (sales managers and admins): it stays on the report,
    marked, and no longer counts toward a suspect or the rep's health."""
    dismissal = do_dismiss_flag(
        given.opportunity,
        given.check,
        by=request.auth,  # type: ignore[attr-defined]
        reason=given.reason,
    )
    return Status(
        201,
        {
            "opportunity": dismissal.opportunity_id,
            "check": dismissal.flag,
            "by": dismissal.by_user.username,
            "at": dismissal.at.isoformat(),
            "reason": dismissal.reason,
        },
    )


@router.get("/pipeline/forecast", response=dict[str, Any])
def forecast(request: HttpRequest, given: Query[ForecastIn]) -> dict[str, Any]:
    """Expected revenue this quarter and next with its interval, beside commit and best
    case; with ``backtest``, MAPE and interval coverage beside the naive baseline."""
    require(request.auth, "pipeline.read")  # type: ignore[attr-defined]
    return forecast_report(now=_as_of(given), backtest_quarters=given.backtest)
