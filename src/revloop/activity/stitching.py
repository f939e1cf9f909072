"""Anonymous touches handed to the person their visitor id turned out to be."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from revloop.activity.models import Touch
from revloop.people.models import AnonymousIdentity


def stitch_anonymous_touches(anonymous_ids: Iterable[str]) -> int:
    """Give each unlinked touch of these ids to the person its id is tied to (see
    :func:`revloop.people.identity.link_anonymous_ids`); the number of touches stitched."""
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
