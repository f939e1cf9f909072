"""Touches written: a capture path's rows stored once by event id, and anonymous ones stitched.

Both run inside the caller's transaction (a capture action's).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db import connection

from revloop.activity.models import Touch
from revloop.core.bulk import insert_frame, insert_frame_returning
from revloop.people.models import AnonymousIdentity


def do_insert_touches(rows: pl.DataFrame, *, report_ids: bool) -> tuple[int, frozenset[str]]:
    """Insert touch rows, each once by its event id: how many were written, and (with
    ``report_ids``) the event ids written, which the skipped ones are not among."""
    if report_ids:
        written = insert_frame_returning(
            Touch, rows, skip_conflicts_on="event_id", returning=("event_id",)
        )
        stored_ids = frozenset(event_id for (event_id,) in written)
        return len(stored_ids), stored_ids
    return insert_frame(Touch, rows, skip_conflicts_on="event_id"), frozenset()


def do_stitch_anonymous_touches(anonymous_ids: Iterable[str]) -> int:
    """Give each unlinked touch of these ids to the person its id is tied to (see
    :func:`revloop.people.actions.do_link_anonymous_ids`); the number of touches stitched."""
    ids = sorted({a for a in anonymous_ids if a})
    if not ids:
        return 0
    # One statement for the whole batch: each unlinked touch of these ids takes the
    # person its id belongs to (which, for an id claimed earlier, is the first claimant).
    identities = AnonymousIdentity._meta.db_table
    touches = Touch._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {touches} SET person_id = (SELECT person_id FROM {identities} "  # noqa: S608 - our tables
            f"WHERE {identities}.anonymous_id = {touches}.anonymous_id) "
            f"WHERE person_id IS NULL AND anonymous_id IN ({marks})",
            ids,
        )
        return int(cursor.rowcount)
