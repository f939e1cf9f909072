"""The handoff brief page: one service call, rendered."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from revloop.feedback.brief import handoff_brief
from revloop.users.requests import PageRequest
from revloop.web.mql_rule import mql_rule


@login_required
def person_brief(request: PageRequest, pk: int) -> HttpResponse:
    brief = handoff_brief(request.user, pk)
    rule = mql_rule(pk, brief.person.stage, brief.score)
    return render(
        request, "web/brief.html", {"brief": brief, "score": brief.score, "mql_rule": rule}
    )
