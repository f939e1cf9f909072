"""The goals page and the reverse-funnel plan page (goals lead the home page too)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from revloop.analytics.cache import page_max_age
from revloop.core.errors import InvalidInputError
from revloop.engine.goals import METRICS
from revloop.goals.actions import do_set_goal, may_set_goal
from revloop.goals.planning import do_create_plan_goals, make_plan, read_request
from revloop.goals.progress import board
from revloop.users.policy import require

_GOAL_FIELDS = ("team", "group", "metric", "period", "target", "vs", "note")


@login_required
def goals(request: HttpRequest) -> HttpResponse:
    """Every goal of a period not yet ended; managers set one with the form."""
    user = request.user
    require(user, "analytics.read")  # type: ignore[arg-type]
    given = {k: request.POST.get(k, "").strip() for k in _GOAL_FIELDS}
    error = None
    if request.method == "POST":
        try:
            goal, created = do_set_goal(
                team=given["team"],
                group=given["group"],
                metric=given["metric"],
                period=given["period"],
                target=given["target"],
                baseline=given["vs"] or None,
                note=given["note"],
                by=user,  # type: ignore[arg-type]
            )
        except InvalidInputError as exc:
            error = exc.message
        else:
            messages.success(request, f"{'Set' if created else 'Changed'} goal {goal.pk}.")
            return redirect("goals")
    page = {
        "goals": board(),
        "error": error,
        "given": given,
        "metrics": METRICS.values(),
        # Whoever may set any goal may set Marketing's.
        "may_set": may_set_goal(user, "marketing"),  # type: ignore[arg-type]
    }
    return render(request, "goals/goals.html", page, status=400 if error else 200)


def _form(data: dict[str, str]) -> dict[str, str]:
    return {
        "revenue": data.get("revenue", "").strip(),
        "period": data.get("period", "").strip() or "next-quarter",
        "currency": data.get("currency", "").strip(),
        "by": data.get("by", "").strip(),
    }


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, "analytics.read")  # type: ignore[arg-type]
    form = _form(request.GET.dict())
    page: dict[str, object] = {"form": form, "plan": None, "error": None}
    if form["revenue"]:
        try:
            wanted = read_request(
                form["revenue"],
                form["period"],
                by=form["by"] or None,
                currency=form["currency"],
                today=timezone.localdate(),
            )
            page["plan"] = make_plan(wanted, max_age=page_max_age())
        except InvalidInputError as exc:
            page["error"] = exc.message
    page["may_set"] = may_set_goal(user, "marketing") and may_set_goal(user, "sales")  # type: ignore[arg-type]
    return render(request, "goals/plan.html", page)


@login_required
@require_POST
def plan_goals(request: HttpRequest) -> HttpResponse:
    form = _form(request.POST.dict())
    try:
        wanted = read_request(
            form["revenue"], form["period"], currency=form["currency"], today=timezone.localdate()
        )
        made = do_create_plan_goals(wanted, by=request.user)  # type: ignore[arg-type]
    except InvalidInputError as exc:
        messages.error(request, exc.message)
        return redirect("plan")
    skipped = "".join(f" Skipped {s['metric']}: {s['reason']}." for s in made["skipped"])
    messages.success(request, f"Set {len(made['goals'])} goals from the plan.{skipped}")
    return redirect("goals")
