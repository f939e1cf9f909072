"""Settings → Tracking: the website snippet, its key, consent, and the event-name mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from revloop.capture.actions import (
    do_rotate_site_key,
    do_save_event_mapping,
    do_set_tracking_options,
)
from revloop.capture.segment import MAPPING_FILE, event_mapping
from revloop.capture.site_keys import (
    active_site_key,
    may_manage_tracking,
    snippet,
    tag_only_snippet,
)
from revloop.core.errors import InvalidInputError
from revloop.users.requests import PageRequest


class TrackingForm(forms.Form):
    origins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        label="Your website's addresses",
        help_text="One per line, e.g. https://www.example.com. The key is refused from any other.",
    )
    require_consent = forms.BooleanField(
        required=False,
        label="Wait for consent: send nothing until the site calls revloop('consent', true)",
    )


def _host(request: PageRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _shown_mapping(request: PageRequest, source: Path, failure: str) -> str:
    """The text in effect, or the one just refused, so its author can correct it."""
    posted = request.POST.get("mapping")
    return posted if failure and posted is not None else source.read_text()


@login_required
def tracking(request: PageRequest) -> HttpResponse:
    if not may_manage_tracking(request.user):
        raise PermissionDenied("website tracking settings need the marketing or admin role")
    key = active_site_key()
    initial = (
        {"origins": "\n".join(key.origins), "require_consent": key.require_consent} if key else {}
    )
    form = TrackingForm(request.POST or None, initial=initial)
    failure = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "mapping":
                do_save_event_mapping(request.user, request.POST.get("mapping", ""))
                messages.success(request, "Event names saved: new calls are mapped this way.")
                return redirect("tracking-settings")
            if request.POST.get("action") == "rotate":
                do_rotate_site_key(request.user)
                messages.success(
                    request, "A new key is live: publish the new snippet; the old key is refused."
                )
                return redirect("tracking-settings")
            if form.is_valid():
                data = form.cleaned_data
                do_set_tracking_options(
                    request.user,
                    origins=data["origins"].splitlines(),
                    require_consent=data["require_consent"],
                )
                messages.success(request, "Tracking settings saved.")
                return redirect("tracking-settings")
        except InvalidInputError as exc:
            failure = exc.message
    mapping = event_mapping()
    context: dict[str, Any] = {
        "form": form,
        "key": key,
        "failure": failure,
        "host": _host(request),
        "snippet": snippet(_host(request), key) if key else "",
        "tag_only": tag_only_snippet(_host(request), key) if key else "",
        "mapping": sorted(mapping.rules.items()),
        "mapping_text": _shown_mapping(request, mapping.source, failure),
        "mapping_is_custom": mapping.source == settings.REVLOOP_HOME / MAPPING_FILE,
        "mapping_file": settings.REVLOOP_HOME / MAPPING_FILE,
    }
    return render(request, "web/tracking.html", context, status=400 if failure else 200)
