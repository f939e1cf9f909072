"""The lead contract's pages: the version in force, its history, diffs, backtests and signing.

Proposing, approving and rejecting (withdrawing) a draft call the same functions as
``revloop contract``; the page only parses the form and says what happened.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from revloop.contracts.actions import (
    diff_versions,
    do_approve_contract,
    do_propose_contract,
    do_withdraw_contract,
)
from revloop.contracts.backtest import backtest
from revloop.contracts.models import ContractStatus
from revloop.contracts.queries import list_versions, version_detail
from revloop.contracts.versions import active_contract, contract_of, get_version
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.users.models import User
from revloop.users.policy import allows, require
from revloop.users.requests import PageRequest
from revloop.web.contract_text import readable


def _read(user: User) -> None:
    require(user, "people.read")


def _powers(user: User) -> dict[str, bool]:
    return {
        "may_propose": allows(user, "contract.propose"),
        "may_sign": allows(user, "contract.approve"),
    }


@login_required
def contract(request: PageRequest) -> HttpResponse:
    _read(request.user)
    version, terms = active_contract()
    listing = list_versions()
    page: dict[str, Any] = {
        "version": version_detail(version.number),
        "terms": readable(terms),
        "versions": listing["versions"],
        "drafts": [v for v in listing["versions"] if v["status"] == ContractStatus.DRAFT],
        **_powers(request.user),
    }
    return render(request, "web/contract.html", page)


@login_required
def contract_version(request: PageRequest, number: int) -> HttpResponse:
    _read(request.user)
    stored = get_version(number)
    detail = version_detail(number)
    signed = {a["user"] for a in detail["approvals"]}
    powers = _powers(request.user)
    page = {
        "version": detail,
        "terms": readable(contract_of(stored)),
        "is_draft": stored.status == ContractStatus.DRAFT,
        "signed_already": request.user.username in signed,
        **powers,
    }
    return render(request, "web/contract_version.html", page)


@login_required
def contract_diff(request: PageRequest) -> HttpResponse:
    _read(request.user)
    listing = list_versions()
    numbers = [v["number"] for v in listing["versions"]]
    old = request.GET.get("from") or (str(numbers[1]) if len(numbers) > 1 else "")
    new = request.GET.get("to") or (str(numbers[0]) if numbers else "")
    diff, error = None, ""
    if old and new:
        try:
            diff = diff_versions(old, new)
        except NotFoundError as exc:
            error = exc.message
    page = {"diff": diff, "error": error, "numbers": numbers, "old": old, "new": new}
    return render(request, "web/contract_diff.html", page)


@login_required
def contract_backtest(request: PageRequest, number: int) -> HttpResponse:
    _read(request.user)
    result = backtest(number)
    columns = ("proposed", "active", "history")
    counts = [
        ("MQLs", "mqls"),
        ("MQLs per week", "per_week"),
        ("Accepted by Sales", "accepted"),
        ("Rejected by Sales", "rejected"),
        ("Became customers", "won"),
    ]
    table: list[tuple[str, list[dict[str, Any]]]] = [
        (label, [{"value": result[col][key]} for col in columns]) for label, key in counts
    ]
    for label, key in (("Acceptance rate", "accepted"), ("Win rate", "won")):
        table.append(
            (
                label,
                [{"part": result[col][key], "whole": result[col]["mqls"]} for col in columns],
            )
        )
    return render(request, "web/contract_backtest.html", {"result": result, "table": table})


@login_required
def contract_propose(request: PageRequest) -> HttpResponse:
    _read(request.user)
    powers = _powers(request.user)
    version, _ = active_contract()
    text, note, error = version.text, "", ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        note = request.POST.get("note", "")[:2000]
        try:
            proposed = do_propose_contract(text, by=request.user, source="proposal.yaml", note=note)
        except InvalidInputError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                f"Proposed v{proposed.number}: it takes effect once Marketing and a sales"
                " manager both approve it.",
            )
            return redirect("contract-version", number=proposed.number)
    page = {"text": text, "note": note, "error": error, "base": version.number, **powers}
    return render(request, "web/contract_propose.html", page, status=400 if error else 200)


@login_required
@require_POST
def contract_approve(request: PageRequest, number: int) -> HttpResponse:
    try:
        outcome = do_approve_contract(number, by=request.user)
    except InvalidInputError as exc:
        messages.error(request, exc.message)
        return redirect("contract-version", number=number)
    if outcome.activated:
        messages.success(
            request,
            f"v{number} is now the active contract; rescored {outcome.rescored or 0:,} people.",
        )
        return redirect(reverse("contract"))
    messages.success(
        request, f"You approved v{number}; still needed: {', '.join(outcome.missing)}."
    )
    return redirect("contract-version", number=number)


@login_required
@require_POST
def contract_reject(request: PageRequest, number: int) -> HttpResponse:
    note = request.POST.get("note", "").strip()[:2000]
    try:
        if not note:
            raise InvalidInputError("note: say why the draft is rejected")
        do_withdraw_contract(number, by=request.user, note=note)
    except InvalidInputError as exc:
        messages.error(request, exc.message)
        return redirect("contract-version", number=number)
    messages.success(request, f"Rejected v{number}: it is withdrawn and will not take effect.")
    return redirect("contract-version", number=number)
