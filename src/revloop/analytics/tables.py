"""Where the tables the analytics read are stored: the models' tables and columns.

The engine names the tables and columns it reads (``revloop.engine.analytics.COLUMNS``)
in its own words; this is the one place that says which model holds each of them.
"""

from __future__ import annotations

from django.db.models import Model

from revloop.activity.models import Campaign, ContentAsset, Touch
from revloop.engine.analytics import COLUMNS, Source
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity, OpportunityContact
from revloop.users.models import User

MODELS: dict[str, type[Model]] = {
    "person": Person,
    "account": Account,
    "touch": Touch,
    "campaign": Campaign,
    "content": ContentAsset,
    "transition": StageTransition,
    "opportunity": Opportunity,
    "opportunity_contact": OpportunityContact,
    "user": User,
}


def stored_tables() -> dict[str, Source]:
    """Per table of the engine's ``COLUMNS``, its model's table, and the column behind each
    name the engine reads (a field's ``attname``, such as ``account_id``)."""
    sources = {}
    for name, model in MODELS.items():
        columns = {f.attname: f.column or f.attname for f in model._meta.concrete_fields}
        unknown = [c for c in COLUMNS[name] if c not in columns]
        if unknown:
            raise LookupError(f"{model.__name__} has no field {', '.join(unknown)}")
        renamed = {c: columns[c] for c in COLUMNS[name] if columns[c] != c}
        sources[name] = Source(model._meta.db_table, renamed)
    return sources
