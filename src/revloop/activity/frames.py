"""The database read behind scoring: touches as polars frames, fast.

Rows come through :func:`revloop.core.frames.read_sql`. Only the columns the
contract's engagement rules read are selected, and campaign names and content kinds are
looked up from their small tables afterwards instead of being joined row by row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

import polars as pl
from django.db import connection

from revloop.activity.models import Campaign, ContentAsset
from revloop.core.frames import UTC, as_text, read_sql_for_ids
from revloop.engine.contract import Contract
from revloop.engine.scoring import TOUCH_SCHEMA, touch_columns


def touches_frame(
    contracts: Iterable[Contract],
    ids: Collection[int] | None = None,
    *,
    until: datetime | None = None,
) -> pl.DataFrame:
    """``person_id``, ``occurred_at`` and the match columns the engagement rules read."""
    needed: dict[str, None] = {}
    for contract in contracts:
        needed |= dict.fromkeys(touch_columns(contract)[2:])
    columns: dict[str, tuple[str, pl.DataType]] = {
        "person_id": ("t.person_id", pl.Int64()),
        "occurred_at": (as_text("t.occurred_at"), UTC),
    }
    if "type" in needed:
        columns["type"] = ("t.type", pl.String())
    if "channel" in needed:
        columns["channel"] = ("t.channel", pl.String())
    if "campaign" in needed:
        columns["campaign_id"] = ("t.campaign_id", pl.Int64())
    if "content_kind" in needed or "content_id" in needed:
        columns["content_id"] = ("t.content_id", pl.Int64())
    if "url" in needed:
        columns["url"] = ("t.url", pl.String())
    select = ", ".join(expression for expression, _ in columns.values())
    sql = f"SELECT {select} FROM activity_touch t WHERE t.person_id IS NOT NULL"  # noqa: S608 - our own names
    if until is not None:
        sql += f" AND t.occurred_at <= {_datetime_literal(until)}"
    schema = {name: dtype for name, (_, dtype) in columns.items()}
    frame = read_sql_for_ids(sql, "t.person_id", schema, ids, "person_id", where=True)
    return _typed_touches(frame, needed)


def max_touch_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM activity_touch")
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def _typed_touches(frame: pl.DataFrame, needed: dict[str, None]) -> pl.DataFrame:
    """Enum and categorical columns, lookups applied, blanks as nulls."""
    columns: list[pl.Expr | pl.Series] = []
    if "type" in frame.columns:
        columns.append(_enum(frame["type"], "type"))
    if "channel" in frame.columns:
        columns.append(_enum(frame["channel"], "channel"))
    if "url" in frame.columns:
        url = pl.when(pl.col("url") == "").then(None).otherwise(pl.col("url"))
        columns.append(url.cast(pl.Categorical).alias("url"))
    if "campaign_id" in frame.columns:
        names = dict(Campaign.objects.values_list("id", "name"))
        columns.append(
            pl.col("campaign_id")
            .replace_strict(names, default=None, return_dtype=pl.String)
            .cast(pl.Categorical)
            .alias("campaign")
        )
    if "content_id" in frame.columns and "content_kind" in needed:
        kinds = dict(ContentAsset.objects.values_list("id", "kind"))
        kind = pl.col("content_id").replace_strict(kinds, default=None, return_dtype=pl.String)
        columns.append(kind.alias("content_kind"))
    typed = frame.with_columns(columns) if columns else frame
    if "content_kind" in typed.columns:
        typed = typed.with_columns(_enum(typed["content_kind"], "content_kind"))
    return typed.drop("campaign_id", strict=False)


def _enum(values: pl.Series, name: str) -> pl.Series:
    """The engine's fast Enum type when every value is known; plain text otherwise."""
    cleaned = values.replace("", None) if values.dtype == pl.String else values
    try:
        return cleaned.cast(TOUCH_SCHEMA[name]).alias(name)
    except pl.exceptions.InvalidOperationError:
        return cleaned.alias(name)


def _datetime_literal(moment: datetime) -> str:
    value = connection.ops.adapt_datetimefield_value(moment)
    return "'" + str(value).replace("'", "''") + "'"
