"""Store touches from any capture path: one way to find people, link ids and build rows.

The events API (and Segment through it), hosted forms and CSV imports hand over a
frame of :data:`~revloop.engine.touch_rows.TOUCH_INPUT`; this module loads what the
rows depend on and writes what :func:`~revloop.engine.touch_rows.touch_rows` decides.
Runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from revloop.activity.actions import do_insert_touches, do_stitch_anonymous_touches
from revloop.activity.lookups import campaign_ids, content_ids
from revloop.activity.models import ContentAsset, Touch
from revloop.core.bulk import values_for_keys
from revloop.core.signals import announce_people_changed
from revloop.engine.identity.email import normalized_parts
from revloop.engine.imports.errors import RowError
from revloop.engine.touch_rows import (
    TouchLookups,
    campaign_keys,
    content_keys,
    first_seen,
    identity_links,
    touch_input,
    touch_rows,
)
from revloop.people.actions import do_link_anonymous_ids, do_resolve_people
from revloop.people.identity import PersonSeed, people_for_anonymous_ids
from revloop.people.models import Person


@dataclass(frozen=True)
class StoredTouches:
    """What became of a frame of touches."""

    #: rows written; the others were already stored (same event id)
    inserted: int
    #: the event ids written, when the caller asked for them
    stored_ids: frozenset[str]
    #: rows stored with less than they named (see ``touch_rows``), by their ``row``
    warnings: list[RowError]


def _people(touches: pl.DataFrame) -> dict[str, int]:
    """The person of every email in ``touches``; a new one starts from its earliest touch."""
    keys = [k for k in touches.get_column("canonical_email").unique().to_list() if k]
    people: dict[str, int] = values_for_keys(Person, "email_key", keys)
    new = first_seen(touches).filter(~pl.col("canonical_email").is_in(list(people)))
    created = do_resolve_people(
        [
            PersonSeed(email=normalized_parts(email, key), seen_at=seen_at, source=channel)
            for email, key, seen_at, channel in new.iter_rows()
        ]
    )
    people.update((key, found.person_id) for key, found in created.items())
    return people


def store_touches(
    touches: pl.DataFrame, *, now: datetime, report_ids: bool = False, announce: bool = True
) -> StoredTouches:
    """Write ``touches``; the rules are :mod:`revloop.engine.touch_rows`'.

    People are created for new emails, an anonymous id seen beside an email is tied
    to that person and its earlier touches stitched, and each touch is stored once by
    its event id. With ``announce``, the people whose touches changed are announced on
    commit (an import announces once at its end instead).
    """
    touches = touch_input(touches)
    people = _people(touches)
    links = {anonymous: people[email] for anonymous, email in identity_links(touches).items()}
    do_link_anonymous_ids(links, at=now)
    do_stitch_anonymous_touches(links)
    waiting = touches.filter((pl.col("canonical_email") == "") & (pl.col("anonymous_id") != ""))
    names, ids = content_keys(touches)
    lookups = TouchLookups(
        people=people,
        anonymous=people_for_anonymous_ids(waiting.get_column("anonymous_id").unique().to_list()),
        campaigns=campaign_ids(campaign_keys(touches)),
        content=content_ids(names),
        content_ids=set(
            ContentAsset.objects.filter(id__in=ids).values_list("id", flat=True) if ids else ()
        ),
    )
    rows = touch_rows(touches, lookups)
    inserted, stored_ids = do_insert_touches(rows.frame, report_ids=report_ids)
    if announce:
        changed = (
            rows.frame.filter(pl.col("event_id").is_in(list(stored_ids)))
            if report_ids
            else rows.frame
        )
        announce_people_changed(
            Touch, [*changed.get_column("person_id").to_list(), *links.values()]
        )
    return StoredTouches(inserted, stored_ids, rows.warnings)
