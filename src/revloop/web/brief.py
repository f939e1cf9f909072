"""The handoff brief page: one service call, rendered."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from revloop.feedback.brief import handoff_brief
from revloop.routing.why import routing_story
from revloop.users.requests import PageRequest
from revloop.web.lead_actions import lead_actions
from revloop.web.mql_rule import mql_rule
from revloop.web.score_words import score_in_words


@login_required
def person_brief(request: PageRequest, pk: int) -> HttpResponse:
    brief = handoff_brief(request.user, pk)
    rule = mql_rule(pk, brief.person.stage, brief.score)
    page = {
        "brief": brief,
        "score": brief.score,
        "mql_rule": rule,
        "routing": routing_story(pk),
        "score_words": score_in_words(brief.score),
        "next": request.get_full_path(),
        **lead_actions(request.user, pk),
    }
    return render(request, "web/brief.html", page)
