from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone

from revloop.analytics.overview import home_figures
from revloop.goals.progress import home_goals
from revloop.routing.queries import sla_compliance
from revloop.routing.weeks import week_start
from revloop.users.policy import require
from revloop.users.requests import PageRequest
from revloop.web.charts import bar_chart
from revloop.web.home_page import alerts, answers, funnel_compare, inbox_summary
from revloop.web.lead_actions import lead_actions
from revloop.web.people import person_page


@login_required
def home(request: PageRequest) -> HttpResponse:
    # The figures are the company's: an account without a role sees none of them.
    require(request.user, "analytics.read")
    figures = home_figures()
    chart = bar_chart([(row.label, row.count) for row in figures.people_per_stage])
    sla = sla_compliance(week_start(figures.as_of))
    page = {
        "figures": figures,
        "stage_chart": chart,
        "sla": sla,
        "goals": home_goals(),
        "funnel": funnel_compare(timezone.localdate(figures.as_of)),
        "alerts": alerts(),
        "inbox": inbox_summary(request.user),
        "answers": answers(),
    }
    return render(request, "web/home.html", page)


@login_required
def person_detail(request: PageRequest, pk: int) -> HttpResponse:
    page = person_page(pk, request.user)
    page |= lead_actions(request.user, pk)
    page["next"] = request.get_full_path()
    return render(request, "web/person.html", page)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (the admin, the API
    docs); pointing them at the static icon keeps their 404s out of the server's log."""
    return HttpResponsePermanentRedirect(static("revloop/favicon.svg"))
