"""Opportunities and leads grouped by any of their own columns, from the database:
the command ``revloop opportunities report`` / ``revloop leads report`` and the API's
``/analytics/opportunities`` and ``/analytics/leads`` read through here.

A ``--by`` column is a model field (``source``, ``stage``, ``outcome``, ``owner``,
``account``, ``currency``, ``competitor``, ``outcome_reason`` …) or any key of the
imported ``properties`` ("Region", "Type", "sales_agent", "product"), matched by
name with case, spaces and punctuation ignored ("lead_source" = "Lead Source"). Where
a field is blank and ``properties`` holds a key of the same name (an import that kept
the column as it came), the property's value is used.

The alias map (:class:`~revloop.engine.analytics.labels.AliasMap`) comes from the file
given, else from ``$REVLOOP_HOME/aliases.yaml`` when that exists, else none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from django.conf import settings

from revloop.core.errors import InvalidInputError
from revloop.engine.analytics.labels import AliasError, AliasMap, column_key
from revloop.engine.analytics.sources import (
    SourceReportError,
    lead_report,
    opportunity_report,
)
from revloop.engine.vocabulary import OpportunityStage
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity, OpportunityContact

ALIAS_FILE_NAME = "aliases.yaml"
#: Normalised column name → the opportunity field (a Django lookup) it reads.
OPPORTUNITY_FIELDS: Mapping[str, str] = {
    "source": "source",
    "leadsource": "source",
    "stage": "stage",
    "outcome": "outcome",
    "owner": "owner__username",
    "opportunityowner": "owner__username",
    "account": "account__name",
    "accountname": "account__name",
    "currency": "currency",
    "competitor": "competitor",
    "outcomereason": "outcome_reason",
    "industry": "account__industry",
    "region": "account__region",
    "country": "account__country",
}
#: The same for people (the leads form).
PERSON_FIELDS: Mapping[str, str] = {
    "source": "source",
    "leadsource": "source",
    "origin": "source",
    "stage": "stage",
    "persona": "persona",
    "title": "title",
    "country": "country",
    "owner": "owner__username",
    "account": "account__name",
    "industry": "account__industry",
    "region": "account__region",
}
_OUTCOMES = {OpportunityStage.WON.value: "won", OpportunityStage.LOST.value: "lost"}
_OPEN = "open"
_BATCH = 5_000


def alias_file() -> Path:
    """Where the stored alias map lives: ``$REVLOOP_HOME/aliases.yaml``."""
    return Path(settings.REVLOOP_HOME) / ALIAS_FILE_NAME


def load_aliases(path: Path | None = None) -> tuple[AliasMap, Path | None]:
    """The alias map of ``path`` (YAML or JSON), else of the stored file if present."""
    chosen = path if path is not None else alias_file()
    if path is None and not chosen.is_file():
        return AliasMap({}), None
    try:
        text = chosen.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInputError(f"aliases: cannot read {chosen}: {exc.strerror}") from None
    try:
        data = json.loads(text) if chosen.suffix == ".json" else yaml.safe_load(text)
        return AliasMap.parse(data), chosen
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"aliases: {chosen} is not valid YAML/JSON: {exc}") from None
    except AliasError as exc:
        raise InvalidInputError(f"aliases: {chosen}: {exc}") from None


@dataclass(frozen=True)
class Column:
    """One ``--by`` column resolved: a field, properties keys, or both."""

    name: str
    field: str | None
    keys: tuple[str, ...]
    #: Every name the column goes by, for the alias map: the one asked for, the
    #: field's other names and the imported keys.
    aliases: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"field {self.field}"] if self.field else []
        parts += [f"properties[{k!r}]" for k in self.keys]
        return " then ".join(parts)

    def value(self, fields: Mapping[str, Any], properties: Mapping[str, Any]) -> str | None:
        found = fields.get(self.field) if self.field else None
        if found not in (None, ""):
            return str(found)
        for key in self.keys:
            value = properties.get(key)
            if value not in (None, ""):
                return value if isinstance(value, str) else json.dumps(value)
        return None


def resolve(
    names: Sequence[str], fields: Mapping[str, str], present: Iterable[str], what: str
) -> list[Column]:
    """Each name → its :class:`Column`; an error lists what could be chosen."""
    by_key: dict[str, list[str]] = {}
    for key in sorted(set(present)):
        by_key.setdefault(column_key(key), []).append(key)
    columns = []
    for name in names:
        wanted = column_key(name)
        field, keys = fields.get(wanted), tuple(by_key.get(wanted, ()))
        if field is None and not keys:
            choices = sorted({*fields, *present}, key=str.casefold)
            raise InvalidInputError(
                f"by: {what} have no field or imported column {name!r}; "
                f"choose from {', '.join(choices)}"
            )
        synonyms = sorted(k for k, f in fields.items() if field is not None and f == field)
        columns.append(Column(name=name, field=field, keys=keys, aliases=(name, *synonyms, *keys)))
    if len({(c.field, c.keys) for c in columns}) != len(columns):
        raise InvalidInputError(f"by: {list(names)} names one column twice")
    return columns


def _when(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=UTC)


def _rows(query: Any, fields: Sequence[str]) -> Iterable[dict[str, Any]]:
    return query.values(*fields).order_by("pk").iterator(chunk_size=_BATCH)


def _property_keys(model: Any) -> set[str]:
    keys: set[str] = set()
    for properties in model.objects.values_list("properties", flat=True).iterator(_BATCH):
        if isinstance(properties, dict):
            keys.update(properties)
    return keys


def _checked(names: Sequence[str]) -> list[str]:
    chosen = [n for n in (name.strip() for name in names) if n]
    if not chosen:
        raise InvalidInputError("by: name at least one column")
    if len(chosen) > 3:
        raise InvalidInputError("by: at most three columns")
    return chosen


def _label_columns(columns: Sequence[Column]) -> list[str]:
    # Positional names keep a column called "amount" or "outcome" apart from the
    # report's own; the report renames them back.
    return [f"by_{i}" for i in range(len(columns))]


def _renamed(result: dict[str, Any], columns: Sequence[Column]) -> dict[str, Any]:
    names = {f"by_{i}": column.name for i, column in enumerate(columns)}
    result["by"] = [names[b] for b in result["by"]]
    for row in result["rows"]:
        row["labels"] = {names[k]: v for k, v in row["labels"].items()}
    for proposal in result["merge_proposals"]:
        proposal["column"] = names[proposal["column"]]
    result["aliases_applied"] = {names[k]: v for k, v in result["aliases_applied"].items()}
    result["columns"] = {column.name: column.describe() for column in columns}
    return result


def _positional(aliases: AliasMap, columns: Sequence[Column]) -> AliasMap:
    """The alias map under the positional names of :func:`_label_columns`."""
    found: dict[str, dict[str, str]] = {}
    for i, column in enumerate(columns):
        entries = found.setdefault(column_key(f"by_{i}"), {})
        for name in column.aliases:
            entries.update(aliases.for_column(name))
        # The name asked for wins over the column's other names.
        entries.update(aliases.for_column(column.name))
    return AliasMap(found)


def _run(compute: Callable[[], Any]) -> Any:
    try:
        return compute()
    except SourceReportError as exc:
        raise InvalidInputError(str(exc)) from None


def opportunities_by(
    by: Sequence[str], *, aliases: AliasMap | None = None, aliases_path: Path | None = None
) -> dict[str, Any]:
    """Opportunities per label of ``by`` (module docstring), as a JSON-able dict."""
    names = _checked(by)
    found_aliases, source = (aliases, None) if aliases is not None else load_aliases(aliases_path)
    columns = resolve(names, OPPORTUNITY_FIELDS, _property_keys(Opportunity), "opportunities")
    lookups = sorted({c.field for c in columns if c.field and c.field != "outcome"})
    base = ["id", "stage", "amount", "currency", "created_at", "closed_at", "close_date"]
    wanted = [*base, *(f for f in lookups if f not in base)]
    if any(c.keys for c in columns):
        wanted.append("properties")
    labels = _label_columns(columns)
    data: dict[str, list[Any]] = {
        k: [] for k in ("id", "outcome", "amount", "currency", "created", "closed", *labels)
    }
    for row in _rows(Opportunity.objects.all(), wanted):
        outcome = _OUTCOMES.get(row["stage"], _OPEN)
        row["outcome"] = outcome
        data["id"].append(row["id"])
        data["outcome"].append(outcome)
        data["amount"].append(row["amount"])
        data["currency"].append(row["currency"])
        data["created"].append(row["created_at"])
        data["closed"].append(_when(row["closed_at"] or row["close_date"]))
        properties = row.get("properties") or {}
        for label, column in zip(labels, columns, strict=True):
            data[label].append(column.value(row, properties))
    frame = pl.DataFrame(
        data,
        schema={
            "id": pl.Int64,
            "outcome": pl.String,
            "amount": pl.Decimal(38, 2),
            "currency": pl.String,
            "created": pl.Datetime("us", "UTC"),
            "closed": pl.Datetime("us", "UTC"),
            **dict.fromkeys(labels, pl.String),
        },
    )
    report = _run(
        lambda: opportunity_report(frame, labels, aliases=_positional(found_aliases, columns))
    )
    result = _renamed(report.as_dict(), columns)
    result["aliases_file"] = str(source) if source else None
    return result


def leads_by(
    by: Sequence[str], *, aliases: AliasMap | None = None, aliases_path: Path | None = None
) -> dict[str, Any]:
    """Leads (people) per label of ``by``: leads, with an opportunity, won, and
    conversion won / leads. A person counts as on an opportunity when they are its
    primary contact or one of its contacts."""
    names = _checked(by)
    found_aliases, source = (aliases, None) if aliases is not None else load_aliases(aliases_path)
    columns = resolve(names, PERSON_FIELDS, _property_keys(Person), "people")
    lookups = sorted({c.field for c in columns if c.field})
    wanted = ["id", *lookups, *(["properties"] if any(c.keys for c in columns) else [])]
    labels = _label_columns(columns)
    data: dict[str, list[Any]] = {k: [] for k in ("id", *labels)}
    for row in _rows(Person.objects.all(), wanted):
        data["id"].append(row["id"])
        properties = row.get("properties") or {}
        for label, column in zip(labels, columns, strict=True):
            data[label].append(column.value(row, properties))
    leads = pl.DataFrame(data, schema={"id": pl.Int64, **dict.fromkeys(labels, pl.String)})
    pairs: dict[tuple[int, int], str] = {}
    primary = Opportunity.objects.filter(primary_contact__isnull=False)
    for opportunity, person, stage in primary.values_list("id", "primary_contact_id", "stage"):
        pairs[(opportunity, person)] = _OUTCOMES.get(stage, _OPEN)
    contacts = OpportunityContact.objects.values_list(
        "opportunity_id", "person_id", "opportunity__stage"
    )
    for opportunity, person, stage in contacts:
        pairs[(opportunity, person)] = _OUTCOMES.get(stage, _OPEN)
    links = pl.DataFrame(
        {"lead_id": [p for _, p in pairs], "outcome": list(pairs.values())},
        schema={"lead_id": pl.Int64, "outcome": pl.String},
    )
    report = _run(
        lambda: lead_report(leads, links, labels, aliases=_positional(found_aliases, columns))
    )
    result = _renamed(report.as_dict(), columns)
    result["aliases_file"] = str(source) if source else None
    return result
