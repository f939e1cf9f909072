"""Touch rows from normalized touches: one rule for every way a touch arrives.

The events API, Segment calls, hosted forms and CSV imports each read their input
into the same frame (:data:`TOUCH_INPUT`: the columns of
:data:`~revloop.engine.imports.touch_batch.TOUCH_COLUMNS` plus ``content_id``); what
the caller then looks up in the database (people, linked anonymous ids, campaigns,
content assets) comes back here as plain mappings, and :func:`touch_rows` decides
each stored row the same way for all of them:

- the person is the one of the touch's email, else the one its anonymous id is
  already tied to, else none (the touch waits to be stitched);
- an anonymous id seen beside an email is tied to that person
  (:func:`identity_links`; the first email of the batch wins, as a stored link does);
- the campaign is found by ``campaign`` (a name or utm value), else by
  ``utm_campaign``; the stored ``utm_campaign`` is the one given, else ``campaign``;
- content is found by ``content_id`` when one is given, else by ``content`` (a title
  or URL). Content
  that does not exist is not a reason to lose the touch: the touch is stored
  unlinked, the reference is kept in its properties under the name it arrived by,
  and a warning names the row.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import polars as pl

from revloop.engine.imports.errors import RowError, preview
from revloop.engine.imports.touch_batch import TOUCH_COLUMNS

#: A touch as every capture path hands it over. ``row`` says where it came from (a
#: file's row, a batch's index); ``content_id`` is an asset's id when the source names
#: content by id (the API, a form), else null.
TOUCH_INPUT = pl.Schema({**TOUCH_COLUMNS, "content_id": pl.Int64()})

UNKNOWN_CONTENT = "no content asset by that {by}; the touch is stored without it"


@dataclass(frozen=True)
class TouchLookups:
    """What the database knows about the references in a batch of touches."""

    #: canonical email → person id (every email of the batch, new people included)
    people: Mapping[str, int]
    #: anonymous id → the person it is tied to
    anonymous: Mapping[str, int] = field(default_factory=dict)
    #: campaign name or utm_campaign value → campaign id
    campaigns: Mapping[str, int] = field(default_factory=dict)
    #: content title or URL → content asset id
    content: Mapping[str, int] = field(default_factory=dict)
    #: the content asset ids among the batch's ``content_id`` values that exist
    content_ids: Collection[int] = ()


@dataclass(frozen=True)
class TouchRows:
    #: one row per input touch, in input order, named as the touch table's columns
    frame: pl.DataFrame
    #: one per row stored with less than it named (unknown content)
    warnings: list[RowError]


def touch_input(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with :data:`TOUCH_INPUT`'s columns, a missing ``content_id`` as null."""
    if "content_id" not in frame.columns:
        frame = frame.with_columns(content_id=pl.lit(None, pl.Int64))
    return frame.select(list(TOUCH_INPUT)).cast(TOUCH_INPUT)


def campaign_key() -> pl.Expr:
    return (
        pl.when(pl.col("campaign") != "").then(pl.col("campaign")).otherwise(pl.col("utm_campaign"))
    )


def campaign_keys(touches: pl.DataFrame) -> set[str]:
    return set(touches.select(campaign_key()).to_series().unique().to_list()) - {""}


def content_keys(touches: pl.DataFrame) -> tuple[set[str], set[int]]:
    """The content titles or URLs, and the content ids, that ``touches`` name."""
    names = set(touches.get_column("content").unique().to_list()) - {""}
    ids = set(touches.get_column("content_id").drop_nulls().unique().to_list())
    return names, ids


def first_seen(touches: pl.DataFrame) -> pl.DataFrame:
    """Each email's earliest touch (input order breaks ties): what a new person starts from."""
    return (
        touches.filter(pl.col("canonical_email") != "")
        .sort("canonical_email", "occurred_at", "row")
        .unique("canonical_email", keep="first", maintain_order=True)
        .select("email", "canonical_email", "occurred_at", "channel")
    )


def identity_links(touches: pl.DataFrame) -> dict[str, str]:
    """anonymous id → canonical email, for touches that carry both (the first one wins)."""
    both = touches.filter((pl.col("anonymous_id") != "") & (pl.col("canonical_email") != ""))
    links: dict[str, str] = {}
    for anonymous_id, email in both.select("anonymous_id", "canonical_email").iter_rows():
        links.setdefault(anonymous_id, email)
    return links


def touch_rows(touches: pl.DataFrame, lookups: TouchLookups) -> TouchRows:
    """The touch table's rows for ``touches`` (:data:`TOUCH_INPUT`); rules in the module doc."""
    touches = touch_input(touches)
    by_email = pl.col("canonical_email").replace_strict(
        lookups.people, default=None, return_dtype=pl.Int64
    )
    by_anonymous = pl.col("anonymous_id").replace_strict(
        lookups.anonymous, default=None, return_dtype=pl.Int64
    )
    known_ids = list(lookups.content_ids)
    frame = touches.with_columns(
        key=campaign_key(),
        content_by_name=pl.col("content").replace_strict(
            lookups.content, default=None, return_dtype=pl.Int64
        ),
        content_by_id=pl.when(pl.col("content_id").is_in(known_ids)).then(pl.col("content_id")),
    )
    rows = frame.select(
        "event_id",
        pl.when(pl.col("canonical_email") != "")
        .then(by_email)
        .otherwise(by_anonymous)
        .alias("person_id"),
        "anonymous_id",
        "occurred_at",
        "type",
        "channel",
        pl.col("key")
        .replace_strict(lookups.campaigns, default=None, return_dtype=pl.Int64)
        .alias("campaign_id"),
        pl.when(pl.col("content_id").is_not_null())
        .then(pl.col("content_by_id"))
        .otherwise(pl.col("content_by_name"))
        .alias("content_id"),
        "url",
        "utm_source",
        "utm_medium",
        pl.when(pl.col("utm_campaign") != "")
        .then(pl.col("utm_campaign"))
        .otherwise(pl.col("campaign"))
        .alias("utm_campaign"),
        "utm_content",
        "utm_term",
        "properties",
    )
    by_id = pl.col("content_id").is_not_null()
    unknown = (by_id & pl.col("content_by_id").is_null()) | (
        ~by_id & (pl.col("content") != "") & pl.col("content_by_name").is_null()
    )
    missing = frame.with_row_index("at").filter(unknown)
    if not missing.height:
        return TouchRows(rows, [])
    properties = rows.get_column("properties").to_list()
    warnings = []
    for at, row, name, asset_id in missing.select("at", "row", "content", "content_id").iter_rows():
        extra = json.loads(properties[at])
        if asset_id is not None:
            extra["content_id"] = asset_id
            warnings.append(
                RowError(row, "content_id", str(asset_id), UNKNOWN_CONTENT.format(by="id"))
            )
        else:
            extra["content"] = name
            warnings.append(
                RowError(row, "content", preview(name), UNKNOWN_CONTENT.format(by="title or URL"))
            )
        properties[at] = json.dumps(extra, ensure_ascii=False)
    rows = rows.with_columns(pl.Series("properties", properties, dtype=pl.Utf8))
    return TouchRows(rows, warnings)
