"""The field insights page: what prospects ask and object to, for Marketing's backlog."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from revloop.analytics.insights import insights_report
from revloop.core.bounds import parse_id
from revloop.core.money import money
from revloop.users.policy import require

PERIODS = (7, 30, 90)


@login_required
def insights(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("period", "30")
    if parse_id(raw) not in PERIODS:
        raise BadRequest(f"period must be one of {', '.join(map(str, PERIODS))} (days)")
    require(request.user, "analytics.read")  # type: ignore[arg-type]
    report = insights_report(period_days=int(raw))
    for topic in report["topics"]:
        topic["pipeline_text"] = ", ".join(money(v, c) for c, v in topic["pipeline"].items())
        topic["win_text"] = (
            "-"
            if topic["win_rate"] is None
            else f"{topic['win_rate']:.0%} ({topic['win_rate_numerator']} of "
            f"{topic['win_rate_denominator']} closed)"
        )
    return render(
        request,
        "web/truth/insights.html",
        {"report": report, "periods": PERIODS, "period": int(raw)},
    )
