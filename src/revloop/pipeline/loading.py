"""The stored pipeline as the engine reads it: a few column reads, no per-row queries."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import Model

from revloop.activity.models import Touch
from revloop.core.bulk import column_of
from revloop.core.frames import UTC, as_text, read_sql
from revloop.engine.contract import PipelineChecks
from revloop.engine.pipeline import FORECAST_CATEGORY_KEYS, PipelineData, from_tables
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity, OpportunityChange, OpportunityContact


def _category(properties: Any) -> str | None:
    if not isinstance(properties, dict):
        return None
    for key, value in properties.items():
        squeezed = str(key).lower().replace(" ", "").replace("_", "")
        if squeezed in {k.replace("_", "") for k in FORECAST_CATEGORY_KEYS} and value:
            return str(value)
    return None


def _frame(rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def _names(model: type[Model], *fields: str) -> tuple[str, ...]:
    """The model's table, then the columns of ``fields``, quoted for SQL."""
    quote = connection.ops.quote_name
    return (quote(model._meta.db_table), *(quote(column_of(model, f)) for f in fields))


def _literal(value: str) -> str:
    # Contract vocabulary (touch types): checked, since it is written into the SQL.
    if not re.fullmatch(r"[a-z0-9_]+", value):
        raise ValueError(f"not a touch type: {value!r}")
    return f"'{value}'"


def _deal_people_sql() -> str:
    contacts, contact = _names(OpportunityContact, "person")
    deals, primary = _names(Opportunity, "primary_contact")
    return (
        f"SELECT {contact} FROM {contacts} "  # noqa: S608 - our own names
        f"UNION SELECT {primary} FROM {deals} WHERE {primary} IS NOT NULL"
    )


def load_pipeline(checks: PipelineChecks) -> tuple[PipelineData, list[str]]:
    """Every opportunity with its history, contacts and activity; and the currencies."""
    opportunities = _frame(
        [
            (
                pk,
                owner,
                primary,
                created,
                closed,
                stage,
                float(amount),
                close_date,
                _category(properties),
            )
            for pk, owner, primary, created, closed, stage, amount, close_date, properties in (
                Opportunity.objects.order_by().values_list(
                    "id",
                    "owner_id",
                    "primary_contact_id",
                    "created_at",
                    "closed_at",
                    "stage",
                    "amount",
                    "close_date",
                    "properties",
                )
            )
        ],
        {
            "id": pl.Int64,
            "owner_id": pl.Int64,
            "primary_contact_id": pl.Int64,
            "created_at": pl.Datetime("us", "UTC"),
            "closed_at": pl.Datetime("us", "UTC"),
            "stage": pl.String,
            "amount": pl.Float64,
            "close_date": pl.Date,
            "forecast_category": pl.String,
        },
    )
    contacts = _frame(
        list(
            OpportunityContact.objects.order_by().values_list("opportunity_id", "person_id", "role")
        ),
        {"opportunity_id": pl.Int64, "person_id": pl.Int64, "role": pl.String},
    )
    changes = _frame(
        list(
            OpportunityChange.objects.order_by().values_list(
                "opportunity_id", "at", "field", "old_value", "new_value"
            )
        ),
        {
            "opportunity_id": pl.Int64,
            "at": pl.Datetime("us", "UTC"),
            "field": pl.String,
            "old_value": pl.String,
            "new_value": pl.String,
        },
    )
    # Only the people on deals: the activity of everyone else is not read. Millions of
    # touches at a million leads: read as columns (core.frames), not ORM rows.
    on_deals = _deal_people_sql()
    types = ", ".join(_literal(t.value) for t in checks.activity_types) or "NULL"
    table, person, occurred, kind = _names(Touch, "person", "occurred_at", "type")
    touches = read_sql(
        f"SELECT {person}, {as_text(occurred)}, {kind} FROM {table} "  # noqa: S608 - our own names
        f"WHERE {person} IN ({on_deals}) AND {kind} IN ({types})",
        {"person_id": pl.Int64(), "occurred_at": UTC, "type": pl.String()},
    )
    # The reps' calls, e-mails and meetings, through the people they were logged on: the
    # feedback app, which records them, sits beside the pipeline and imports it, so its
    # table is found through the relation rather than by importing its model.
    sales_model = Person._meta.get_field("sales_activities").related_model
    assert isinstance(sales_model, type)
    table, person, at = _names(sales_model, "person", "at")
    sales = read_sql(
        f"SELECT {person}, {as_text(at)} FROM {table} "  # noqa: S608 - our own names
        f"WHERE {person} IN ({on_deals})",
        {"person_id": pl.Int64(), "at": UTC},
    )
    currencies = sorted(
        set(Opportunity.objects.order_by().values_list("currency", flat=True).distinct())
    )
    data = from_tables(
        opportunities, contacts, changes, touches, sales, activity_types=checks.activity_types
    )
    return data, currencies
