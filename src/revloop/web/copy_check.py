"""The copy check page: paste copy or upload a file, see its false claims marked in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from revloop.catalog.versions import active_checker
from revloop.core.errors import NotFoundError
from revloop.engine.truth import FORMATS, Finding, detect_format
from revloop.users.policy import require

#: A file larger than this is a document to split, not a piece of copy.
MAX_UPLOAD = 1024 * 1024
#: The same bound the API puts on pasted copy.
MAX_TEXT = 200_000
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".eml")

NO_CATALOG = (
    "No offer catalog has been saved yet, so there is nothing to check copy against. "
    "A user with the marketing, sales_manager or admin role saves one with "
    "`revloop catalog save FILE`, in /admin/ or through POST /api/v1/catalog."
)


class CopyCheckForm(forms.Form):
    text = forms.CharField(
        label="Copy", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 10})
    )
    file = forms.FileField(
        label="or a file",
        required=False,
        help_text=f"{', '.join(SUFFIXES)}; at most {MAX_UPLOAD // 1024} KiB",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )
    format = forms.ChoiceField(
        choices=[("auto", "auto (from the file name or content)")] + [(f, f) for f in FORMATS],
        initial="auto",
        required=False,
    )

    def clean_file(self) -> tuple[str, bytes] | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name = upload.name or ""
        if PurePath(name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(
                f"{name}: only {', '.join(SUFFIXES)} files can be checked", code="suffix"
            )
        if upload.size is None or upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                f"{name}: larger than {MAX_UPLOAD // 1024} KiB; check it in parts", code="size"
            )
        raw = upload.read()
        if b"\x00" in raw:
            raise forms.ValidationError(f"{name}: binary content, not text", code="binary")
        if PurePath(name).suffix.lower() == ".eml":
            return name, raw  # an e-mail's parts declare their own encodings
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                f"{name}: not UTF-8 text (byte {exc.start} cannot be read)", code="encoding"
            ) from None
        return name, raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("Paste some copy or choose a file to check.")
        if data.get("file") and (data.get("text") or "").strip():
            raise forms.ValidationError("Paste copy or choose a file, not both.")
        return data

    def copy(self) -> tuple[str | bytes, str, str]:
        """What to check, its format and where it came from."""
        upload: tuple[str, bytes] | None = self.cleaned_data["file"]
        name, raw = upload if upload else (None, self.cleaned_data["text"].encode("utf-8"))
        chosen = self.cleaned_data.get("format") or "auto"
        text = raw.decode("utf-8", errors="replace")
        fmt = chosen if chosen in FORMATS else detect_format(name, text)
        # An e-mail is read from its bytes: its parts declare their own encodings.
        return (raw if fmt == "eml" else text), fmt, name or "pasted copy"


@dataclass
class Mark:
    """One marked stretch of the text and the findings that fall on it."""

    anchor: str
    text: str
    findings: list[int] = field(default_factory=list)


def segments(text: str, findings: tuple[Finding, ...]) -> list[str | Mark]:
    """The text split into plain stretches and marks; overlapping findings share one mark.

    Plain stretches stay strings for the template to escape: nothing here is marked safe.
    """
    order = sorted(range(len(findings)), key=lambda i: (findings[i].start, findings[i].end))
    groups: list[tuple[int, int, list[int]]] = []
    for i in order:
        start, end = max(0, findings[i].start), min(len(text), findings[i].end)
        if groups and start < groups[-1][1]:
            last = groups[-1]
            groups[-1] = (last[0], max(last[1], end), [*last[2], i + 1])
        else:
            groups.append((start, end, [i + 1]))
    out: list[str | Mark] = []
    at = 0
    for n, (start, end, numbers) in enumerate(groups, 1):
        if start > at:
            out.append(text[at:start])
        out.append(Mark(f"mark-{n}", text[start:end], numbers))
        at = end
    if at < len(text):
        out.append(text[at:])
    return out


@login_required
def copy_check(request: HttpRequest) -> HttpResponse:
    require(request.user, "copy.check")  # type: ignore[arg-type]
    form = CopyCheckForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "max_upload_kib": MAX_UPLOAD // 1024}
    if request.method == "POST" and form.is_valid():
        raw, fmt, source = form.copy()
        try:
            version, checker = active_checker()
        except NotFoundError:
            context["no_catalog"] = NO_CATALOG
        else:
            report = checker.check(raw, fmt)
            parts = segments(report.text, report.findings)
            anchors = {n: p.anchor for p in parts if isinstance(p, Mark) for n in p.findings}
            context.update(
                version=version,
                report=report,
                source=source,
                segments=[(isinstance(p, Mark), p) for p in parts],
                findings=[(n, anchors[n], f) for n, f in enumerate(report.findings, 1)],
            )
    return render(request, "web/copy_check.html", context)
