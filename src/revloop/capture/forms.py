"""A website form's submission: its fields read under the form's mapping, and its touch.

:func:`revloop.capture.actions.do_submit_form` stores the person and the touch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from revloop.capture.models import FormEndpoint
from revloop.core.bounds import check_text
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.identity.email import InvalidEmail, NormalizedEmail, normalize_email
from revloop.engine.vocabulary import TouchType

MAX_FIELD_CHARS = 10_000
MAX_ANONYMOUS_ID = 128


class FormResult(BaseModel):
    person_id: int
    person_created: bool
    event_id: str
    status: str


def access_form(slug: str) -> FormEndpoint:
    try:
        return FormEndpoint.objects.select_related("campaign").get(slug=slug, is_active=True)
    except FormEndpoint.DoesNotExist:
        raise NotFoundError(f"no active form {slug!r}") from None


@dataclass(frozen=True)
class Submission:
    """A form's fields, checked and sorted by the form's mapping."""

    email: NormalizedEmail
    anonymous_id: str
    mapped: dict[str, str]
    extra: dict[str, Any]


def read_submission(form: FormEndpoint, fields: Mapping[str, Any]) -> Submission:
    """The submission's fields under the form's mapping; bad input names its field."""
    mapped: dict[str, str] = {}
    extra: dict[str, Any] = {}
    for name, value in fields.items():
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_FIELD_CHARS:
            raise InvalidInputError(f"field {name!r} is longer than {MAX_FIELD_CHARS:,} characters")
        check_text(text, f"field {name!r}")
        check_text(name, "a field name")
        target = form.mapping.get(name)
        if target:
            mapped[target] = text.strip()
        else:
            extra[name] = value
    try:
        email = normalize_email(mapped.get("email", ""))
    except InvalidEmail as exc:
        email_field = next((k for k, v in form.mapping.items() if v == "email"), "email")
        raise InvalidInputError(f"{email_field}: {exc.reason}") from None
    anonymous_id = mapped.get("anonymous_id", "")
    if len(anonymous_id) > MAX_ANONYMOUS_ID:
        raise InvalidInputError(f"anonymous_id is longer than {MAX_ANONYMOUS_ID} characters")
    return Submission(email, anonymous_id, mapped, extra)


def form_touch(
    form: FormEndpoint, submission: Submission, *, event_id: str, now: datetime, referer: str
) -> dict[str, Any]:
    """The form_submit touch (a row of ``TOUCH_INPUT``) a submission stands for."""
    mapped, email = submission.mapped, submission.email
    return {
        "row": 0,
        "event_id": event_id[:128],
        "occurred_at": now,
        "type": TouchType.FORM_SUBMIT.value,
        "email": email.address,
        "canonical_email": email.canonical,
        "anonymous_id": submission.anonymous_id,
        "channel": form.channel,
        "campaign": form.campaign.name if form.campaign else "",
        "content": "",
        "content_id": form.content_id,
        "url": (mapped.get("page_url") or referer)[:2000],
        "utm_source": "",
        "utm_medium": "",
        "utm_campaign": form.campaign.utm_campaign if form.campaign else "",
        "utm_content": "",
        "utm_term": "",
        "properties": json.dumps(
            {"form": form.slug, "fields": submission.extra}, ensure_ascii=False
        ),
    }
