from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from revloop.core.overview import home_figures
from revloop.web.charts import bar_chart


@login_required
def home(request: HttpRequest) -> HttpResponse:
    figures = home_figures()
    chart = bar_chart([(row.label, row.count) for row in figures.people_per_stage])
    return render(request, "web/home.html", {"figures": figures, "stage_chart": chart})
