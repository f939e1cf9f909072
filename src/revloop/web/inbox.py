"""The rep inbox page and its row actions (htmx posts that swap the row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from revloop.core.bounds import parse_id
from revloop.core.errors import ConflictError, InvalidInputError
from revloop.feedback.actions import (
    do_add_note,
    do_convert_to_opportunity,
    do_give_verdict,
    do_log_activity,
    do_record_heard,
)
from revloop.feedback.inbox import MAX_ROWS, rep_inbox
from revloop.feedback.leads import reassign_targets
from revloop.routing.actions import do_reassign
from revloop.users.models import User
from revloop.users.requests import PageRequest
from revloop.web import inbox_forms as f


@dataclass(frozen=True)
class Action:
    form: type[forms.Form]
    #: Runs the one service call and says what was done.
    run: Callable[[User, int, Any], str]


def _accept(user: User, pk: int, form: f.AcceptForm) -> str:
    do_give_verdict(user, pk, "accept", note=form.cleaned_data["note"])
    return "Accepted."


_DONE = {"reject": "Rejected", "disqualify": "Disqualified"}


def _reject(user: User, pk: int, form: f.VerdictForm) -> str:
    verdict, code = form.verdict()
    do_give_verdict(
        user, pk, verdict, code, form.cleaned_data["note"], belief=form.cleaned_data["belief"]
    )
    return f"{_DONE[verdict]}: {code.replace('_', ' ')}."


def _activity(user: User, pk: int, form: f.ActivityForm) -> str:
    data = form.cleaned_data
    record = do_log_activity(
        user, pk, data["kind"], form.moment(user.time_zone), data["note"], outcome=data["outcome"]
    )
    return f"{record.get_kind_display()} logged."


def _heard(user: User, pk: int, form: f.HeardForm) -> str:
    data = form.cleaned_data
    item = do_record_heard(user, pk, data["kind"], data["text"], topic=data["topic"])
    return f"{item.get_kind_display()} recorded."


def _note(user: User, pk: int, form: f.NoteForm) -> str:
    do_add_note(user, pk, form.cleaned_data["text"])
    return "Note added."


def _convert(user: User, pk: int, form: f.ConvertForm) -> str:
    data = form.cleaned_data
    deal = do_convert_to_opportunity(
        user,
        pk,
        name=data["name"],
        amount=data["amount"],
        currency=data["currency"],
        close_date=data["close_date"],
        role=data["role"] or "champion",
    )
    return f"Converted: opportunity “{deal.name}” opened."


def _reassign(user: User, pk: int, form: f.ReassignForm) -> str:
    data = form.cleaned_data
    to = None
    if data["to"]:
        to = User.objects.filter(username=data["to"]).first()
        if to is None:
            raise InvalidInputError(f"to: no user {data['to']!r}")
    record = do_reassign(pk, to=to, by=user, reason=data["reason"] or "manual")
    if record is None:
        return "Nobody else can take this lead now; it stays where it is."
    return f"Re-assigned to {record.rep.username}."


ACTIONS: dict[str, Action] = {
    "accept": Action(f.AcceptForm, _accept),
    "reject": Action(f.VerdictForm, _reject),
    "activity": Action(f.ActivityForm, _activity),
    "heard": Action(f.HeardForm, _heard),
    "note": Action(f.NoteForm, _note),
    "convert": Action(f.ConvertForm, _convert),
    "reassign": Action(f.ReassignForm, _reassign),
}


#: Rows on the page unless ``?show=N`` asks for more (up to the inbox's maximum).
PAGE_ROWS = 50


@login_required
def inbox(request: PageRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    page = rep_inbox(
        request.user,
        request.GET.get("rep") or None,
        limit=parse_id(show) or PAGE_ROWS,
    )
    context = {"inbox": page, "max_rows": MAX_ROWS, "targets": reassign_targets(request.user)}
    return render(request, "web/inbox.html", context)


@login_required
@require_POST
def inbox_action(request: PageRequest, pk: int, action: str) -> HttpResponse:
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404(f"no inbox action {action!r}")
    user = request.user
    form = chosen.form(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInputError(_form_problems(form))
        message, error = chosen.run(user, pk, form), ""
    except (InvalidInputError, ConflictError) as exc:
        # Someone else's verdict first is news for this row, not an error page.
        message, error = "", exc.message
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or message)
        return redirect(_back(request))
    page = rep_inbox(user, only=[pk])
    row = page.rows[0] if page.rows else None
    context = {
        "inbox": page,
        "row": row,
        "person_id": pk,
        "flash": message,
        "error": error,
        "targets": reassign_targets(user),
    }
    return render(request, "web/inbox_row.html", context)


def _form_problems(form: forms.Form) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
    )


def _back(request: PageRequest) -> str:
    """Where a plain (non-htmx) form returns: the page it came from when that is ours."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("inbox")
