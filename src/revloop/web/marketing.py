"""The Marketing page: funnel, velocity, attribution, content, rejection reasons."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from revloop.users.requests import PageRequest
from revloop.web.marketing_page import PageParams, attribution_fragment, marketing_page


@login_required
def marketing(request: PageRequest) -> HttpResponse:
    """The whole page; an htmx request from the model picker gets the attribution
    section alone."""
    params = PageParams.parse(request.GET)
    if request.htmx and request.htmx.target == "attribution":
        page = attribution_fragment(request.user, params)
        return render(request, "web/marketing_attribution.html", page)
    page = marketing_page(request.user, params)
    return render(request, "web/marketing.html", page)
