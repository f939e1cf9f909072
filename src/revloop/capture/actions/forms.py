"""A website form submission becomes a form_submit touch and an upserted person."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from revloop.capture.forms import FormResult, form_touch, read_submission
from revloop.capture.models import FormEndpoint
from revloop.capture.touches import store_touches
from revloop.engine.touch_rows import TOUCH_INPUT
from revloop.people.identity import PROFILE_FIELDS, PersonSeed, resolve_people


def do_submit_form(
    form: FormEndpoint, fields: Mapping[str, Any], *, referer: str = ""
) -> FormResult:
    """Upsert the submitter and store the submission as a touch, stored once by its id."""
    submission = read_submission(form, fields)
    mapped, email = submission.mapped, submission.email
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
        touch = form_touch(form, submission, event_id=event_id, now=now, referer=referer)
        stored = store_touches(
            pl.DataFrame([touch], schema=TOUCH_INPUT), now=now, report_ids=True
        ).stored_ids
    return FormResult(
        person_id=outcome.person_id,
        person_created=outcome.created,
        event_id=event_id,
        status="stored" if stored else "duplicate",
    )
