"""Hand-made pipelines for the engine tests: a few deals, their history and contacts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from revloop.engine.pipeline import PipelineData

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@dataclass
class History:
    deals: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    activity: list[dict[str, Any]] = field(default_factory=list)

    def deal(
        self,
        id: int,
        *,
        created: dt.datetime,
        owner: int | None = 1,
        stage: str = "discovery",
        amount: float = 10_000.0,
        close_date: dt.date | None = None,
        closed: dt.datetime | None = None,
        category: str | None = None,
        contact: bool = True,
        role: str = "economic_buyer",
    ) -> History:
        self.deals.append(
            {
                "id": id,
                "owner_id": owner,
                "created_at": created,
                "closed_at": closed,
                "stage": stage,
                "amount": amount,
                "close_date": close_date or (NOW + dt.timedelta(days=30)).date(),
                "forecast_category": category,
            }
        )
        self.change(id, created, "stage", "", "discovery")
        if contact:
            self.contacts.append({"opportunity_id": id, "person_id": id * 10, "role": role})
        return self

    def change(self, id: int, at: dt.datetime, field: str, old: str, new: str) -> History:
        self.changes.append(
            {"opportunity_id": id, "at": at, "field": field, "old_value": old, "new_value": new}
        )
        return self

    def touch(self, id: int, at: dt.datetime) -> History:
        self.activity.append({"person_id": id * 10, "at": at})
        return self

    def data(self) -> PipelineData:
        def frame(rows: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
            return pl.DataFrame(rows, schema=schema)

        utc = pl.Datetime("us", "UTC")
        return PipelineData.of(
            frame(
                self.deals,
                {
                    "id": pl.Int64,
                    "owner_id": pl.Int64,
                    "created_at": utc,
                    "closed_at": utc,
                    "stage": pl.String,
                    "amount": pl.Float64,
                    "close_date": pl.Date,
                    "forecast_category": pl.String,
                },
            ),
            frame(
                self.changes,
                {
                    "opportunity_id": pl.Int64,
                    "at": utc,
                    "field": pl.String,
                    "old_value": pl.String,
                    "new_value": pl.String,
                },
            ),
            frame(
                self.contacts,
                {"opportunity_id": pl.Int64, "person_id": pl.Int64, "role": pl.String},
            ),
            frame(self.activity, {"person_id": pl.Int64, "at": utc}),
        )
