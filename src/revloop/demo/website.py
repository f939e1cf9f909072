"""The demo company's website tracker: its key, and the page views that arrive through it.

Brightline put revloop's tracker on its site :data:`TRACKER_DAYS` days before the demo's
``now``, so its recent plain page views (no campaign, no content asset) come in as the
tracker sends them, Segment page calls through capture's Segment ingestion, instead of
being loaded as rows with the rest of its history. Each keeps its generated id, time,
address and channel (told by the referrer, as the tracker's are), so the answer key
reads the same company either way. Only the recent ones: the Segment path handles
messages one by one, and a year of a million-lead company's page views (about 950,000)
would take it several minutes, longer than loading everything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from revloop.capture.actions import do_ingest_segment, do_rotate_site_key
from revloop.users.models import User

SITE = "https://www.brightline.io"
#: A referrer that the Segment path reads back as the channel the generator chose.
REFERRERS = {
    "direct": "",
    "organic_search": "https://www.google.com/",
    "referral": "https://www.g2.com/products/brightline/reviews",
}
BATCH = 1000
#: How long before the demo's ``now`` the tracker went live on Brightline's site.
TRACKER_DAYS = 14


def tracked_page_views(now: datetime) -> pl.Expr:
    """The rows the tracker sends: plain page views on a channel a referrer can tell,
    since it went live."""
    return (
        (pl.col("type") == "page_view")
        & (pl.col("occurred_at") >= now - timedelta(days=TRACKER_DAYS))
        & pl.col("campaign_id").is_null()
        & pl.col("content_id").is_null()
        & pl.col("channel").is_in(list(REFERRERS))
    )


def page_calls(touches: pl.DataFrame, emails: pl.DataFrame) -> list[dict[str, Any]]:
    """Segment page calls for these touch rows; ``emails`` maps ``person_id`` to ``email``."""
    rows = touches.join(emails, on="person_id", how="left").sort("event_id")
    calls = []
    for row in rows.iter_rows(named=True):
        context: dict[str, Any] = {
            "page": {"url": row["url"], "referrer": REFERRERS[row["channel"]]},
            "library": {"name": "revloop.js", "version": "1"},
        }
        if row["email"]:
            context["traits"] = {"email": row["email"]}
        calls.append(
            {
                "type": "page",
                "messageId": row["event_id"],
                "anonymousId": row["anonymous_id"],
                "timestamp": _iso(row["occurred_at"]),
                "context": context,
                "properties": {},
            }
        )
    return calls


def split_page_views(
    touches: pl.DataFrame, people: pl.DataFrame, *, now: datetime
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """The touch rows to load as they are, and the page calls the tracker sends instead."""
    emails = people.select(pl.col("id").alias("person_id"), "email")
    tracked = tracked_page_views(now)
    return touches.filter(~tracked), page_calls(touches.filter(tracked), emails)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _batches(calls: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(calls), BATCH):
        yield calls[start : start + BATCH]


def send_page_views(calls: list[dict[str, Any]], *, now: datetime) -> int:
    """Store the page calls through Segment ingestion; how many touches it stored.

    Nobody is rescored here: the loader scores everyone once it is done.
    """
    stored = 0
    for batch in _batches(calls):
        result = do_ingest_segment(batch, received_at=now, announce=False)
        if result.errors:
            raise RuntimeError(f"the demo's page views were refused: {result.errors}")
        stored += result.stored
    return stored


def issue_site_key(marketer: User | None) -> None:
    """The website key the settings page shows in Brightline's snippet."""
    do_rotate_site_key(marketer, origins=[SITE, "https://brightline.io"])
