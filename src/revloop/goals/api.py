"""Goals and the reverse-funnel plan over the API. Everyone with a role reads them;
sales managers and admins (and marketers who manage others, for Marketing) set them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from revloop.analytics.paths import jsonable
from revloop.goals.actions import do_set_goal
from revloop.goals.planning import do_create_plan_goals, make_plan, read_request
from revloop.goals.progress import board, get_goal, goal_progress
from revloop.users.policy import require
from revloop.users.requests import ApiRequest

router = Router(tags=["goals"])


class GoalsIn(Schema):
    all: bool = Field(False, description="goals of ended periods too")
    team: str | None = Field(None, description="marketing, sales or group")


class GoalIn(Schema):
    team: str = Field(..., description="marketing, sales or group")
    group: str = Field("", description="the users' team, for a goal of a group of reps")
    metric: str = Field(
        ...,
        description="new_leads, mqls, sal_acceptance_rate, marketing_sla_compliance, "
        "sales_sla_compliance, pipeline_created, revenue_won, win_rate or sales_cycle",
    )
    period: str = Field(..., description="2027-Q1, 2027-03, 2027, next-quarter or A..B")
    target: str = Field(..., description="1200, USD 30000, 45%, 60 (days) or +10%")
    vs: str | None = Field(None, description="previous or last_year, for a relative target")
    currency: str = Field("", description="for money (default: the company's)")
    note: str = Field("", max_length=2000)


class PlanIn(Schema):
    revenue: str = Field(..., description="the revenue to win")
    period: str = Field(..., description="2027-Q1, 2027-03, 2027 or next-quarter")
    by: str | None = Field(None, description="channel: also plan per first-touch channel")
    currency: str = Field("", description="default: the company's currency")


@router.get("/goals", response=dict[str, Any])
def list_goals(request: ApiRequest, given: Query[GoalsIn]) -> dict[str, Any]:
    """Goals of periods not yet ended (or all), each with actual, expected, forecast,
    its 90% interval and status (ahead, on_track, at_risk, behind)."""
    require(request.auth, "analytics.read")
    return jsonable({"goals": board(include_ended=given.all, team=given.team)})


@router.get("/goals/{goal_id}", response=dict[str, Any])
def show_goal(request: ApiRequest, goal_id: int) -> dict[str, Any]:
    """One goal with its pacing."""
    require(request.auth, "analytics.read")
    return jsonable(goal_progress(get_goal(goal_id)))


@router.post("/goals", response={200: dict[str, Any], 201: dict[str, Any]})
def set_goal(request: ApiRequest, body: GoalIn) -> Status[dict[str, Any]]:
    """Set or change a goal; a goal that is not SMART is refused with every reason."""
    goal, created = do_set_goal(
        team=body.team,
        group=body.group,
        metric=body.metric,
        period=body.period,
        target=body.target,
        baseline=body.vs,
        currency=body.currency,
        note=body.note,
        by=request.auth,
    )
    return Status(201 if created else 200, jsonable({**goal_progress(goal), "created": created}))


@router.get("/plan", response=dict[str, Any])
def plan(request: ApiRequest, given: Query[PlanIn]) -> dict[str, Any]:
    """The reverse funnel: customers, opportunities, SQLs, SALs, MQLs and new leads
    needed, and by when, with the rates, lags and history they rest on."""
    require(request.auth, "analytics.read")
    wanted = read_request(
        given.revenue,
        given.period,
        by=given.by,
        currency=given.currency,
        today=timezone.localdate(),
    )
    return jsonable(make_plan(wanted))


@router.post("/plan/goals", response=dict[str, Any])
def plan_to_goals(request: ApiRequest, body: PlanIn) -> dict[str, Any]:
    """Turn the plan into goals for both teams, in one step."""
    wanted = read_request(
        body.revenue, body.period, currency=body.currency, today=timezone.localdate()
    )
    made = do_create_plan_goals(wanted, by=request.auth)
    return jsonable(made)
