"""The lead list page: search, filters, sort and pages in the URL; saved views; bulk actions."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from revloop.core.bounds import parse_id
from revloop.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from revloop.engine.contract.schema import GRADES
from revloop.engine.vocabulary import LifecycleStage
from revloop.feedback.leads import (
    PAGE_SIZES,
    SLA_STATES,
    SORTS,
    VIEW_KEYS,
    LeadQuery,
    export_rows,
    lead_page,
    lead_queryset,
    reassign_targets,
)
from revloop.routing.actions import do_reassign
from revloop.users.models import User
from revloop.users.requests import PageRequest
from revloop.web.actions import do_delete_view, do_save_view, saved_views

#: Leads one bulk re-assignment may move (a page at most).
MAX_BULK = max(PAGE_SIZES)
CSV_COLUMNS = (
    "id",
    "name",
    "email",
    "title",
    "company",
    "stage",
    "owner",
    "source",
    "score",
    "grade",
    "sla",
    "created_at",
    "stage_changed_at",
)


@login_required
def leads(request: PageRequest) -> HttpResponse:
    query = LeadQuery.from_params(request.GET)
    page = lead_page(request.user, query)
    view = _view_query(request.GET)
    context = {
        "page": page,
        "view_query": view,
        "view_items": [(k, v) for k in VIEW_KEYS for v in request.GET.getlist(k) if v],
        "stages": [(s.value, s.label) for s in LifecycleStage],
        "grades": GRADES,
        "sla_states": SLA_STATES,
        "sorts": _sort_links(request.GET, query.sort),
        "page_sizes": PAGE_SIZES,
        "saved": saved_views(request.user, "leads"),
        "targets": reassign_targets(request.user),
        "prev_url": _with_page(request.GET, page.page - 1) if page.page > 1 else "",
        "next_url": _with_page(request.GET, page.page + 1) if page.page < page.pages else "",
    }
    return render(request, "web/leads.html", context)


@login_required
def leads_export(request: PageRequest) -> StreamingHttpResponse:
    """Every lead of the view as CSV, or only the ticked ones (``id``)."""
    query = LeadQuery.from_params(request.GET)
    ids = [pk for raw in request.GET.getlist("id") if (pk := parse_id(raw)) is not None]
    lead_queryset(request.user, query)  # the permission check, before streaming starts
    rows = export_rows(request.user, query)

    def lines() -> Iterator[str]:
        echo = _Echo()
        writer = csv.writer(echo)
        yield writer.writerow(CSV_COLUMNS)
        wanted = set(ids)
        for r in rows:
            if wanted and r.person_id not in wanted:
                continue
            yield writer.writerow(
                (
                    r.person_id,
                    r.name,
                    r.email,
                    r.title,
                    r.company or "",
                    r.stage,
                    r.owner or "",
                    r.source,
                    f"{r.rule_score:.1f}",
                    r.grade,
                    r.sla,
                    r.created_at.isoformat(),
                    r.stage_changed_at.isoformat(),
                )
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leads.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_POST
def leads_reassign(request: PageRequest) -> HttpResponse:
    """Hand the ticked leads to one rep (or let the rules choose), each through the action."""
    ids = [pk for raw in request.POST.getlist("id") if (pk := parse_id(raw)) is not None]
    back = reverse("leads") + _query_suffix(request.POST)
    if not ids:
        messages.error(request, "Tick the leads to re-assign first.")
        return redirect(back)
    if len(ids) > MAX_BULK:
        messages.error(request, f"Re-assign at most {MAX_BULK} leads at a time.")
        return redirect(back)
    user = request.user
    if not reassign_targets(user):
        raise PermissionDenied("re-assigning leads needs the sales_manager or admin role")
    wanted = request.POST.get("to", "")
    to = User.objects.filter(username=wanted).first() if wanted else None
    if wanted and to is None:
        messages.error(request, f"to: no user {wanted!r}")
        return redirect(back)
    moved, problems = 0, []
    for pk in ids:
        try:
            if do_reassign(pk, to=to, by=user) is not None:
                moved += 1
            else:
                problems.append(f"#{pk}: nobody else can take it")
        except (ForbiddenError, InvalidInputError, NotFoundError) as exc:
            problems.append(exc.message)
    if moved:
        messages.success(request, f"Re-assigned {moved} lead{'' if moved == 1 else 's'}.")
    for problem in problems[:10]:
        messages.error(request, problem)
    return redirect(back)


@login_required
@require_POST
def leads_save_view(request: PageRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        view = do_save_view(request.user, "leads", request.POST.get("name", ""), query)
    except InvalidInputError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("leads") + ("?" + query if query else ""))
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(reverse("leads") + ("?" + view.query if view.query else ""))


@login_required
@require_POST
def leads_delete_view(request: PageRequest, pk: int) -> HttpResponse:
    do_delete_view(request.user, pk)
    messages.success(request, "View deleted.")
    return redirect("leads")


def _view_query(params: QueryDict) -> str:
    """The view's part of a query string (what to show, not which page)."""
    kept = QueryDict(mutable=True)
    for key in VIEW_KEYS:
        values = [v for v in params.getlist(key) if v]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def _query_suffix(params: QueryDict) -> str:
    view = _view_query(params)
    return "?" + view if view else ""


def _with_page(params: QueryDict, page: int) -> str:
    view = _view_query(params)
    return "?" + (view + "&" if view else "") + f"page={page}"


def _sort_links(params: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (flipping when it is the sort)."""
    links = {}
    for column in SORTS:
        if current == column:
            wanted, state = "-" + column, "ascending"
        elif current == "-" + column:
            wanted, state = column, "descending"
        else:
            wanted, state = ("-" if column in {"score", "created"} else "") + column, ""
        copy = params.copy()
        copy.pop("page", None)
        copy["sort"] = wanted
        kept = _view_query(copy)
        links[column] = {"url": "?" + kept, "state": state}
    return links
