"""The stored tables (as frames of their columns) → :class:`PipelineData`.

The Django side and the benchmarks read the same columns, so both go through here:
the primary contact counts as a contact of the deal, and activity is the touches of
the contract's ``activity_types`` plus every logged sales activity.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from revloop.engine.pipeline.data import PipelineData
from revloop.engine.vocabulary import TouchType

#: Where a CRM import keeps the forecast category (Salesforce's "Forecast Category").
FORECAST_CATEGORY_KEYS = ("forecast_category", "forecastcategory", "forecastcategoryname")


def from_tables(
    opportunity: pl.DataFrame,
    contact: pl.DataFrame,
    change: pl.DataFrame,
    touch: pl.DataFrame,
    sales_activity: pl.DataFrame | None = None,
    *,
    activity_types: Sequence[TouchType],
) -> PipelineData:
    """``opportunity`` has the ``pipeline_opportunity`` columns (``primary_contact_id``
    and an optional ``forecast_category``), ``contact`` those of
    ``pipeline_opportunitycontact``, ``change`` of ``pipeline_opportunitychange``,
    ``touch`` at least ``person_id``, ``occurred_at``, ``type``; ``sales_activity``
    ``person_id``, ``at``."""
    primary = opportunity.filter(pl.col("primary_contact_id").is_not_null()).select(
        pl.col("id").alias("opportunity_id"),
        pl.col("primary_contact_id").alias("person_id"),
        pl.lit("").alias("role"),
    )
    listed = contact.select("opportunity_id", "person_id", "role")
    # The primary contact may also be listed with a role; keep the role then.
    contacts = pl.concat(
        [listed, primary.join(listed, on=["opportunity_id", "person_id"], how="anti")],
        how="vertical_relaxed",
    )
    types = [t.value for t in activity_types]
    touches = touch.filter(pl.col("type").is_in(types) & pl.col("person_id").is_not_null()).select(
        "person_id", pl.col("occurred_at").alias("at")
    )
    activity = touches
    if sales_activity is not None:
        activity = pl.concat(
            [touches, sales_activity.select("person_id", "at")], how="vertical_relaxed"
        )
    return PipelineData.of(
        opportunity,
        change.select("opportunity_id", "at", "field", "old_value", "new_value"),
        contacts,
        activity,
    )
