"""The pipeline page: flags with their evidence and each rep's health, for everyone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from revloop.pipeline.honesty import pipeline_report
from revloop.pipeline.text import describe
from revloop.users.policy import require


def _page(report: dict[str, Any]) -> dict[str, Any]:
    suspects = set(report["suspects"])
    deals: dict[int, dict[str, Any]] = {}
    for flag in report["flags"]:
        deal = deals.setdefault(
            flag["opportunity"],
            {
                "id": flag["opportunity"],
                "rep": flag["rep"] or "",
                "suspect": flag["opportunity"] in suspects,
                "flags": [],
            },
        )
        deal["flags"].append(
            {
                "check": flag["check"],
                "text": describe(flag["check"], flag["evidence"]),
                "dismissal": flag["dismissal"],
            }
        )
    ordered = sorted(deals.values(), key=lambda d: (not d["suspect"], -len(d["flags"]), d["id"]))
    return {"report": report, "deals": ordered}


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    require(request.user, "pipeline.read")  # type: ignore[arg-type]
    return render(request, "web/pipeline.html", _page(pipeline_report()))
