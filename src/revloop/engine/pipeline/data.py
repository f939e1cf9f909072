"""The pipeline as the checks and the forecast read it: four polars frames.

``opportunities``: ``id`` (int), ``owner_id`` (int, null when unowned),
``created_at`` and ``closed_at`` (UTC datetimes, ``closed_at`` null while open),
``stage`` (an :class:`OpportunityStage` value), ``amount`` (float, in the deal's
currency), ``close_date`` (date) and ``forecast_category`` (text or null, as the CRM
wrote it).

``changes``: ``opportunity_id``, ``at``, ``field`` (stage, amount or close_date),
``old_value`` and ``new_value`` as text (empty when there was none).

``contacts``: ``opportunity_id``, ``person_id``, ``role`` (a :class:`BuyingRole`
value, or empty for a primary contact with no role on the deal).

``activity``: ``person_id``, ``at`` -- calls, meetings and the like with a person.

Times are UTC; nothing depends on row order.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

UTC_US = pl.Datetime("us", "UTC")

OPPORTUNITY_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "owner_id": pl.Int64(),
    "created_at": UTC_US,
    "closed_at": UTC_US,
    "stage": pl.String(),
    "amount": pl.Float64(),
    "close_date": pl.Date(),
    "forecast_category": pl.String(),
}
CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "opportunity_id": pl.Int64(),
    "at": UTC_US,
    "field": pl.String(),
    "old_value": pl.String(),
    "new_value": pl.String(),
}
CONTACT_SCHEMA: dict[str, pl.DataType] = {
    "opportunity_id": pl.Int64(),
    "person_id": pl.Int64(),
    "role": pl.String(),
}
ACTIVITY_SCHEMA: dict[str, pl.DataType] = {"person_id": pl.Int64(), "at": UTC_US}


class PipelineDataError(ValueError):
    """A frame misses a column; the message names the frame and the column."""


def _conform(frame: pl.DataFrame, schema: dict[str, pl.DataType], name: str) -> pl.DataFrame:
    missing = [column for column in schema if column not in frame.columns]
    optional = {"forecast_category"}
    for column in missing:
        if column not in optional:
            raise PipelineDataError(f"{name}: missing column {column!r}")
    columns = []
    for column, dtype in schema.items():
        if column in missing:
            columns.append(pl.lit(None, dtype=dtype).alias(column))
        elif isinstance(dtype, pl.Datetime):
            columns.append(pl.col(column).cast(UTC_US))
        else:
            columns.append(pl.col(column).cast(dtype))
    return frame.select(columns)


@dataclass(frozen=True)
class PipelineData:
    opportunities: pl.DataFrame
    changes: pl.DataFrame
    contacts: pl.DataFrame
    activity: pl.DataFrame

    @classmethod
    def of(
        cls,
        opportunities: pl.DataFrame,
        changes: pl.DataFrame | None = None,
        contacts: pl.DataFrame | None = None,
        activity: pl.DataFrame | None = None,
    ) -> PipelineData:
        """Frames cast to the schema above; absent frames are empty."""

        def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
            return pl.DataFrame(schema=schema)

        return cls(
            _conform(opportunities, OPPORTUNITY_SCHEMA, "opportunities"),
            _conform(
                changes if changes is not None else empty(CHANGE_SCHEMA), CHANGE_SCHEMA, "changes"
            ),
            _conform(
                contacts if contacts is not None else empty(CONTACT_SCHEMA),
                CONTACT_SCHEMA,
                "contacts",
            ),
            _conform(
                activity if activity is not None else empty(ACTIVITY_SCHEMA),
                ACTIVITY_SCHEMA,
                "activity",
            ),
        )
