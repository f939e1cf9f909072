"""Each opportunity as it stood at a moment: stage, since when, amount and close date.

The change history is replayed up to (not including) the moment: the last value set
before it, else the value the first later change started from, else the value on the
record now. A deal with no history entered its stage when it was created; one that
has closed since, with no stage history, stood in an ``unknown`` open stage.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from revloop.engine.pipeline.data import UTC_US, PipelineData
from revloop.engine.vocabulary import OPEN_OPPORTUNITY_STAGES

OPEN_STAGES: tuple[str, ...] = tuple(s.value for s in OPEN_OPPORTUNITY_STAGES)
#: The stage of a deal at a moment its history does not tell.
UNKNOWN_STAGE = "unknown"


def open_at(data: PipelineData, moment: dt.datetime) -> pl.DataFrame:
    """``id``, ``as_of`` for the deals open at ``moment`` (created before, not yet closed)."""
    at = pl.lit(moment).cast(UTC_US)
    return data.opportunities.filter(
        (pl.col("created_at") < at) & (pl.col("closed_at").is_null() | (pl.col("closed_at") > at))
    ).select("id", at.alias("as_of"))


def state(data: PipelineData, moments: pl.DataFrame) -> pl.DataFrame:
    """The opportunities of ``moments`` (``id``, ``as_of``) as they stood at ``as_of``.

    Columns: everything on the opportunity, plus ``as_of``, ``stage_at``,
    ``stage_entered_at``, ``amount_at`` and ``close_date_at``.
    """
    opps = data.opportunities.join(moments.select("id", pl.col("as_of").cast(UTC_US)), on="id")
    history = data.changes.join(
        opps.select(pl.col("id").alias("opportunity_id"), "as_of"), on="opportunity_id"
    )
    stage = _value_at(history, "stage")
    amount = _value_at(history, "amount")
    close = _value_at(history, "close_date")
    out = (
        opps.join(stage, on="id", how="left")
        .join(amount.select("id", pl.col("value").alias("amount_text")), on="id", how="left")
        .join(close.select("id", pl.col("value").alias("close_text")), on="id", how="left")
    )
    # A deal still open at the moment stood in an open stage. When its history says
    # otherwise (a CRM export that records only the outcome, written at creation) or
    # says nothing, which open stage is not known, and the outcome must not leak in.
    told = pl.coalesce(pl.col("value"), pl.col("stage"))
    still_open = pl.col("closed_at").is_null() | (pl.col("closed_at") >= pl.col("as_of"))
    return out.with_columns(
        stage_at=pl.when(still_open & told.is_in(OPEN_STAGES).not_())
        .then(pl.lit(UNKNOWN_STAGE))
        .otherwise(told),
        stage_entered_at=pl.coalesce(pl.col("set_at"), pl.col("created_at")),
        amount_at=pl.coalesce(
            pl.col("amount_text").cast(pl.Float64, strict=False), pl.col("amount")
        ),
        close_date_at=pl.coalesce(
            pl.col("close_text").str.to_date("%Y-%m-%d", strict=False), pl.col("close_date")
        ),
    ).drop("value", "set_at", "amount_text", "close_text")


def _value_at(history: pl.DataFrame, field: str) -> pl.DataFrame:
    """``id``, ``value`` (text) and ``set_at`` (null unless set before ``as_of``)."""
    rows = history.filter(pl.col("field") == field)
    before = (
        rows.filter(pl.col("at") < pl.col("as_of"))
        .sort("opportunity_id", "at", "new_value")
        .group_by("opportunity_id")
        .agg(pl.col("new_value").last().alias("before"), pl.col("at").last().alias("set_at"))
    )
    # The first later change started from the value then; an empty one (the value was
    # first set after the moment) tells nothing, and the record's value stands in.
    after = (
        rows.filter(pl.col("at") >= pl.col("as_of"))
        .sort("opportunity_id", "at", "old_value")
        .group_by("opportunity_id")
        .agg(pl.col("old_value").first().alias("after"))
        .with_columns(pl.when(pl.col("after") != "").then(pl.col("after")).alias("after"))
    )
    return before.join(after, on="opportunity_id", how="full", coalesce=True).select(
        pl.col("opportunity_id").alias("id"),
        pl.coalesce("before", "after").alias("value"),
        "set_at",
    )
