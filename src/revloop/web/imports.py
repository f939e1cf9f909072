"""The imports page: upload a CSV file, read the report the command would print."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from revloop.capture.actions import do_import_upload
from revloop.capture.uploads import (
    UploadOptions,
    importable_kinds,
    max_bytes,
)
from revloop.core.errors import RevloopError
from revloop.users.policy import require
from revloop.users.requests import PageRequest


class ImportForm(forms.Form):
    kind = forms.ChoiceField()
    file = forms.FileField()
    format = forms.ChoiceField(
        choices=[(f, f) for f in ("auto", "generic", "hubspot", "salesforce")], initial="auto"
    )
    stage = forms.CharField(required=False, help_text="stage of rows without one, e.g. won")
    decimal_comma = forms.BooleanField(required=False, label="Amounts use a decimal comma")
    dry_run = forms.BooleanField(required=False, label="Dry run: check and count, store nothing")
    strict = forms.BooleanField(required=False, label="Strict: store nothing if any row is bad")

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in kinds]  # type: ignore[attr-defined]


@login_required
def imports(request: PageRequest) -> HttpResponse:
    require(request.user, "imports.open")
    kinds = importable_kinds(request.user)
    context: dict[str, Any] = {"limit": max_bytes()}
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            options = UploadOptions(
                format=data["format"],
                stage=data["stage"],
                decimal_comma=data["decimal_comma"],
                dry_run=data["dry_run"],
                strict=data["strict"],
            )
            try:
                report = do_import_upload(
                    request.user, data["kind"], upload.chunks(), size=upload.size, options=options
                )
            except RevloopError as exc:
                context["failure"] = exc.message
                status = exc.status
            else:
                context.update(_shown(report, upload.name))
        else:
            status = 400
    else:
        form = ImportForm(kinds=kinds)
    context["form"] = form
    return render(request, "web/imports.html", context, status=status)


def _shown(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The report with the stage-label errors apart: those rows are listed once, under
    the mapping lines that would place them."""
    errors = [e for e in report["errors"] if e.get("code") != "unknown_stage"]
    stages = report.get("unknown_stages", [])
    mapping = "\n".join(["opportunity_stage:", *(s["line"] for s in stages)]) if stages else ""
    return {"report": report, "file_name": name, "errors": errors, "stage_mapping": mapping}
