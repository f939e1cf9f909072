"""The stored pipeline as the engine reads it: a few column reads, no per-row queries."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import Q

from revloop.activity.models import Touch
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
    # Only the people on deals: the activity of everyone else is not read.
    on_deals = Q(person_id__in=OpportunityContact.objects.values("person_id")) | Q(
        person_id__in=Opportunity.objects.filter(primary_contact__isnull=False).values(
            "primary_contact_id"
        )
    )
    types = [t.value for t in checks.activity_types]
    touches = _frame(
        list(
            Touch.objects.order_by()
            .filter(on_deals, type__in=types)
            .values_list("person_id", "occurred_at", "type")
        ),
        {"person_id": pl.Int64, "occurred_at": pl.Datetime("us", "UTC"), "type": pl.String},
    )
    # The reps' calls, e-mails and meetings, through the people they were logged on: the
    # feedback app, which records them, sits beside the pipeline and imports it.
    on_deal_people = Q(pk__in=OpportunityContact.objects.values("person_id")) | Q(
        pk__in=Opportunity.objects.filter(primary_contact__isnull=False).values(
            "primary_contact_id"
        )
    )
    sales = _frame(
        list(
            Person.objects.order_by()
            .filter(on_deal_people, sales_activities__isnull=False)
            .values_list("pk", "sales_activities__at")
        ),
        {"person_id": pl.Int64, "at": pl.Datetime("us", "UTC")},
    )
    currencies = sorted(
        set(Opportunity.objects.order_by().values_list("currency", flat=True).distinct())
    )
    data = from_tables(
        opportunities, contacts, changes, touches, sales, activity_types=checks.activity_types
    )
    return data, currencies
