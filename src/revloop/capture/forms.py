"""A website form submission becomes a form_submit touch and an upserted person."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel

from revloop.activity.models import Touch
from revloop.activity.stitching import stitch_anonymous_touches
from revloop.capture.models import FormEndpoint
from revloop.core.bulk import insert_ignoring_conflicts
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.core.signals import announce_people_changed
from revloop.engine.identity.email import InvalidEmail, normalize_email
from revloop.engine.vocabulary import TouchType
from revloop.people.identity import PROFILE_FIELDS, PersonSeed, link_anonymous_ids, resolve_people

MAX_FIELD_CHARS = 10_000


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
        anonymous_id = mapped.get("anonymous_id", "")
        if anonymous_id:
            link_anonymous_ids({anonymous_id: outcome.person_id}, at=now)
            stitch_anonymous_touches([anonymous_id])
        stored = insert_ignoring_conflicts(
            Touch,
            [
                {
                    "event_id": event_id[:128],
                    "person_id": outcome.person_id,
                    "anonymous_id": anonymous_id,
                    "occurred_at": now,
                    "type": TouchType.FORM_SUBMIT.value,
                    "channel": form.channel,
                    "campaign_id": form.campaign_id,
                    "content_id": form.content_id,
                    "url": (mapped.get("page_url") or referer)[:2000],
                    "utm_campaign": form.campaign.utm_campaign if form.campaign else "",
                    "properties": {"form": form.slug, "fields": extra},
                }
            ],
            conflict_field="event_id",
            returning=("event_id",),
        )
        announce_people_changed(Touch, [outcome.person_id])
    return FormResult(
        person_id=outcome.person_id,
        person_created=outcome.created,
        event_id=event_id,
        status="stored" if stored else "duplicate",
    )
