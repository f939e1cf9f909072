"""A website form submission becomes a form_submit touch and an upserted person."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel

from revloop.capture.models import FormEndpoint
from revloop.capture.touches import store_touches
from revloop.core.bounds import check_text
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.identity.email import InvalidEmail, normalize_email
from revloop.engine.touch_rows import TOUCH_INPUT
from revloop.engine.vocabulary import TouchType
from revloop.people.identity import PROFILE_FIELDS, PersonSeed, resolve_people

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


def do_submit_form(
    form: FormEndpoint, fields: Mapping[str, Any], *, referer: str = ""
) -> FormResult:
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
    now = timezone.now()
    profile = {k: v for k, v in mapped.items() if k in PROFILE_FIELDS and v}
    event_id = mapped.get("submission_id") or f"form-{form.slug}-{uuid.uuid4()}"
    with transaction.atomic():
        outcome = resolve_people(
            [
                PersonSeed(
                    email=email,
                    seen_at=now,
                    source=form.channel,
                    company=mapped.get("company", ""),
                    profile=profile,
                )
            ],
            match_names=bool(mapped.get("company")),
        )[email.canonical]
        touch = {
            "row": 0,
            "event_id": event_id[:128],
            "occurred_at": now,
            "type": TouchType.FORM_SUBMIT.value,
            "email": email.address,
            "canonical_email": email.canonical,
            "anonymous_id": anonymous_id,
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
            "properties": json.dumps({"form": form.slug, "fields": extra}, ensure_ascii=False),
        }
        stored = store_touches(
            pl.DataFrame([touch], schema=TOUCH_INPUT), now=now, report_ids=True
        ).stored_ids
    return FormResult(
        person_id=outcome.person_id,
        person_created=outcome.created,
        event_id=event_id,
        status="stored" if stored else "duplicate",
    )
