"""Why Sales sends leads back, by where they came from.

A *rejection* is a stage transition from a stage before the opportunity (lead, MQL,
SAL, SQL) into ``recycled`` or ``disqualified`` that carries a reason code (wrong
target, misinformed, no budget, student, competitor …); a lost deal is not one. Each
is counted once per slice value it belongs to:

- ``source``: the rejected person's source field;
- ``campaign`` / ``content``: every campaign (content asset) among the person's
  touches at or before the rejection -- a rejection after touches of three campaigns
  counts once for each of them, so the rows do not add up to the total.

``rejections`` is the count per (value, reason), ``total`` per value over all
reasons, and ``share`` the reason's part of the value's rejections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import polars as pl

from revloop.engine.analytics.attribution import Level, labelled_touches
from revloop.engine.analytics.tables import Tables, checkpoint, in_scratch, join_on, to_polars
from revloop.engine.vocabulary import LifecycleStage

RejectionSlice = Literal["source", "campaign", "content"]
REJECTION_SLICES: tuple[str, ...] = get_args(RejectionSlice)
REJECTED_STAGES = (LifecycleStage.RECYCLED.value, LifecycleStage.DISQUALIFIED.value)
BEFORE_OPPORTUNITY = tuple(
    s.value
    for s in (LifecycleStage.LEAD, LifecycleStage.MQL, LifecycleStage.SAL, LifecycleStage.SQL)
)
NONE = "(none)"


@dataclass(frozen=True)
class RejectionReport:
    """One row per (value, reason): ``value, reason, rejections, total, share``."""

    rows: pl.DataFrame
    by: str
    engine: str

    def count(self, value: str, reason: str) -> int:
        found = self.rows.filter((pl.col("value") == value) & (pl.col("reason") == reason))
        return int(found["rejections"].sum()) if found.height else 0

    def as_dict(self) -> dict[str, Any]:
        reasons = (
            self.rows.group_by("reason")
            .agg(pl.col("rejections").sum())
            .sort(["rejections", "reason"], descending=[True, False])
        )
        return {
            "by": self.by,
            "engine": self.engine,
            "reasons": reasons["reason"].to_list(),
            "rows": self.rows.to_dicts(),
        }


@in_scratch
def rejection_reasons(tables: Tables, by: str = "source") -> RejectionReport:
    """Rejections per reason and ``by`` value (module docstring)."""
    if by not in REJECTION_SLICES:
        raise ValueError(f"unknown rejection slice {by!r}; choose from {REJECTION_SLICES}")
    transition = tables.transition
    rejected = transition.filter(
        transition.to_stage.isin(REJECTED_STAGES)
        & transition.from_stage.isin(BEFORE_OPPORTUNITY)
        & transition.reason_code.notnull()
        & (transition.reason_code != "")
    ).select(
        transition_id=transition.id,
        person_id=transition.person_id,
        reason=transition.reason_code,
        at_us=transition.at_us,
    )
    if by == "source":
        person = tables.person.select(person_id="id", value="source")
        slices = join_on(rejected, person, "person_id", "left").select(
            "transition_id", "value", "reason"
        )
    else:
        rejected = checkpoint(rejected, tables, index=("person_id",))
        level: Level = "campaign" if by == "campaign" else "content"
        touches = labelled_touches(tables, level)
        touches = touches.select("person_id", "label", touch_us=touches.at_us)
        before = join_on(rejected, touches, "person_id")
        before = before.filter(before.touch_us <= before.at_us)
        slices = before.select("transition_id", value=before.label, reason=before.reason).distinct()
    counted = slices.group_by("value", "reason").agg(rejections=slices.count())
    frame = to_polars(counted, tables)
    frame = frame.with_columns(
        value=pl.when(pl.col("value").is_null() | (pl.col("value") == ""))
        .then(pl.lit(NONE))
        .otherwise(pl.col("value")),
        rejections=pl.col("rejections").cast(pl.Int64),
    )
    frame = frame.group_by("value", "reason").agg(pl.col("rejections").sum())
    frame = frame.with_columns(total=pl.col("rejections").sum().over("value")).with_columns(
        share=pl.col("rejections") / pl.col("total")
    )
    frame = frame.sort(
        ["total", "value", "rejections", "reason"], descending=[True, False, True, False]
    )
    return RejectionReport(
        rows=frame.select("value", "reason", "rejections", "total", "share"),
        by=by,
        engine=tables.engine,
    )
