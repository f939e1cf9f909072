"""Which CSV column feeds which record field, for each format and kind of record.

Formats: ``generic`` (revloop's own field names, see :data:`GENERIC`), ``hubspot``
(contact, company and deal exports) and ``salesforce`` (report exports of Leads,
Contacts, Accounts and Opportunities; Leads and Contacts share the ``people`` mapping).
Headers are matched ignoring case, repeated spaces and the difference between ``_`` and
a space (``deal_stage`` is ``Deal Stage``); ``--column FIELD=HEADER`` (``columns=``
in :func:`bind`) names the column of a field outright. Where several headers feed one
field (Salesforce's "Company" for Leads, "Account Name" for Contacts) the first listed
non-empty one wins and the others' values go to ``properties``, as do all columns the
format does not know: nothing in the file is dropped. Cells revloop itself prefixed
against formula injection (:mod:`.safety`) are restored on the way in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from operator import itemgetter

from revloop.engine.errors import EngineInputError
from revloop.engine.imports.safety import restore_cell

#: The column revloop's error CSV adds with the reasons; ignored when re-imported.
ERROR_COLUMN = "revloop_errors"


class Entity(StrEnum):
    PEOPLE = "people"
    ACCOUNTS = "accounts"
    TOUCHES = "touches"
    OPPORTUNITIES = "opportunities"


class FormatError(EngineInputError):
    """The file's columns do not fit the format (e.g. no email column for people)."""


Columns = Mapping[str, tuple[str, ...]]  # record field -> header names, in priority order


def _own(*fields: str) -> dict[str, tuple[str, ...]]:
    return {f: (f, f.replace("_", " ")) for f in fields}


#: Opportunity fields every format reads the same way: Salesforce's IsWon / IsClosed (as
#: report labels "Won" / "Closed" or API names) and HubSpot's closed-won flags.
_OUTCOME_FLAGS: dict[str, tuple[str, ...]] = {
    "is_won": ("is_won", "IsWon", "Won", "Is Closed Won", "hs_is_closed_won"),
    "is_closed": ("is_closed", "IsClosed", "Closed", "Is Deal Closed?", "hs_is_closed"),
}

GENERIC: Mapping[Entity, Columns] = {
    Entity.PEOPLE: {
        **_own(
            "first_name",
            "last_name",
            "title",
            "phone",
            "company",
            "account_external_id",
            "country",
            "stage",
            "lead_status",
            "owner",
            "industry",
            "employee_count",
            "persona",
            "consent",
        ),
        "email": ("email", "email address"),
        # A lead export without emails names its people by the id its system gave them.
        "external_id": ("external_id", "id", "person id", "mql id"),
        "source": ("source", "lead source", "origin"),
        "created_at": ("created_at", "created date", "create date", "first contact date"),
    },
    Entity.ACCOUNTS: {
        **_own(
            "external_id",
            "country",
            "region",
            "owner",
            "tier",
            "created_at",
        ),
        "domain": ("domain", "website"),
        "name": ("name", "account name", "account", "company"),
        "industry": ("industry", "sector"),
        "employee_count": ("employee_count", "employees"),
    },
    Entity.TOUCHES: {
        **_own(
            "event_id",
            "type",
            "email",
            "anonymous_id",
            "channel",
            "campaign",
            "content",
            "url",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_content",
            "utm_term",
        ),
        "occurred_at": ("occurred_at", "occurred at", "timestamp"),
    },
    Entity.OPPORTUNITIES: {
        **_own(
            "currency",
            "closed_at",
            "account_external_id",
            "owner",
            "outcome_reason",
            "competitor",
        ),
        "external_id": ("external_id", "id", "opportunity id"),
        "name": ("name",),
        "stage": ("stage", "deal stage", "opportunity stage"),
        "amount": ("amount", "value", "deal value", "close value"),
        "close_date": ("close_date", "close date", "closed date", "won date"),
        "created_at": ("created_at", "created date", "create date", "engage date"),
        "account_name": ("account_name", "account name", "account", "company"),
        "contact_email": ("contact_email", "contact email", "email"),
        # The person's id in the system the file came from (a lead or MQL id).
        "contact_external_id": ("contact_external_id", "person id", "lead id", "mql id"),
        "source": ("source", "lead source", "origin"),
        **_OUTCOME_FLAGS,
    },
}

HUBSPOT: Mapping[Entity, Columns] = {
    Entity.PEOPLE: {
        "external_id": ("Record ID", "Contact ID"),
        "first_name": ("First Name",),
        "last_name": ("Last Name",),
        "email": ("Email",),
        "company": ("Company Name", "Associated Company"),
        "account_external_id": ("Associated Company ID", "Associated Company IDs (Primary)"),
        "stage": ("Lifecycle Stage",),
        "lead_status": ("Lead Status",),
        "created_at": ("Create Date",),
        "source": ("Original Source",),
        "owner": ("Contact owner",),
        "title": ("Job Title",),
        "country": ("Country/Region", "Country"),
        "industry": ("Industry",),
        "employee_count": ("Number of Employees",),
        "phone": ("Phone Number", "Mobile Phone Number"),
    },
    Entity.ACCOUNTS: {
        "external_id": ("Record ID", "Company ID"),
        "name": ("Company name",),
        "domain": ("Company Domain Name", "Website URL"),
        "industry": ("Industry",),
        "employee_count": ("Number of Employees",),
        "country": ("Country/Region", "Country"),
        "owner": ("Company owner",),
        "created_at": ("Create Date",),
    },
    Entity.OPPORTUNITIES: {
        "external_id": ("Record ID", "Deal ID"),
        "name": ("Deal Name",),
        "stage": ("Deal Stage",),
        "amount": ("Amount", "Amount in company currency"),
        "currency": ("Currency",),
        "close_date": ("Close Date",),
        "created_at": ("Create Date",),
        "owner": ("Deal owner",),
        "account_name": ("Associated Company", "Associated Company (Primary)"),
        "account_external_id": ("Associated Company ID", "Associated Company IDs (Primary)"),
        "source": ("Original Source", "Original Traffic Source"),
        "outcome_reason": ("Closed Lost Reason", "Closed Won Reason"),
        **_OUTCOME_FLAGS,
    },
}

SALESFORCE: Mapping[Entity, Columns] = {
    Entity.PEOPLE: {
        "external_id": ("Lead ID", "Contact ID"),
        "first_name": ("First Name",),
        "last_name": ("Last Name",),
        "email": ("Email",),
        "company": ("Company", "Company / Account", "Account Name"),
        "account_external_id": ("Account ID",),
        "title": ("Title",),
        "source": ("Lead Source",),
        "lead_status": ("Lead Status",),
        "industry": ("Industry",),
        "employee_count": ("No. of Employees",),
        "country": ("Country", "Mailing Country"),
        "created_at": ("Created Date",),
        "owner": ("Lead Owner", "Contact Owner"),
        "phone": ("Phone", "Mobile"),
    },
    Entity.ACCOUNTS: {
        "external_id": ("Account ID",),
        "name": ("Account Name",),
        "domain": ("Website",),
        "industry": ("Industry",),
        "employee_count": ("Employees",),
        "country": ("Billing Country", "Shipping Country"),
        "owner": ("Account Owner",),
        "created_at": ("Created Date",),
    },
    Entity.OPPORTUNITIES: {
        "external_id": (
            "Opportunity ID",
            "Opportunity ID (18 Digit)",
            "Opportunity 18 Digit ID",
            "18 Digit Opportunity ID",
            "Opportunity ID (18)",
            "Id",
        ),
        "name": ("Opportunity Name",),
        "stage": ("Stage",),
        "amount": ("Amount",),
        "currency": ("Opportunity Currency", "Currency"),
        "close_date": ("Close Date",),
        "created_at": ("Created Date",),
        "account_name": ("Account Name",),
        "account_external_id": ("Account ID",),
        "owner": ("Opportunity Owner",),
        "source": ("Lead Source",),
        "contact_email": ("Contact: Email", "Primary Contact Email", "Email"),
        "contact_external_id": ("Contact ID", "Primary Contact ID"),
        "outcome_reason": ("Loss Reason", "Closed Lost Reason"),
        **_OUTCOME_FLAGS,
    },
}

FORMATS: Mapping[str, Mapping[Entity, Columns]] = {
    "generic": GENERIC,
    "hubspot": HUBSPOT,
    "salesforce": SALESFORCE,
}

#: Fields a file must have a column for. Beyond these: people need an email or an
#: external id column, touches an email or an anonymous_id column, opportunities a
#: stage, an IsWon / IsClosed column or a stage given for the whole file.
REQUIRED: Mapping[Entity, tuple[str, ...]] = {
    Entity.PEOPLE: (),
    Entity.ACCOUNTS: ("name",),
    Entity.TOUCHES: ("occurred_at", "type"),
    Entity.OPPORTUNITIES: ("amount", "close_date"),
}
_EITHER: Mapping[Entity, tuple[str, ...]] = {
    Entity.PEOPLE: ("email", "external_id"),
    Entity.TOUCHES: ("email", "anonymous_id"),
    Entity.OPPORTUNITIES: ("stage", "is_won", "is_closed"),
}


def header_key(name: str) -> str:
    return " ".join(name.casefold().replace("_", " ").split())


def fields_of(entity: Entity | str) -> frozenset[str]:
    """Every record field some format can fill for ``entity`` (what ``columns=`` may name)."""
    kind = Entity(entity)
    return frozenset(f for mappings in FORMATS.values() for f in mappings.get(kind, {}))


@dataclass(frozen=True)
class BoundColumns:
    """A format's mapping bound to one file's header: column positions per field."""

    format: str
    entity: Entity
    header: tuple[str, ...]
    fields: Mapping[str, tuple[int, ...]]
    extra: tuple[int, ...]

    @property
    def has_multi_columns(self) -> bool:
        """Whether some field reads the first non-empty of several columns."""
        return bool(self._multi)

    def split(self, values: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
        """``(fields, properties)`` of one row: stripped field values and leftover cells."""
        # The common case (one column per field) runs in C: itemgetter, map, zip.
        names, fetch = self._single
        cells = list(map(str.strip, fetch(values)))
        if "\n'" in "\n" + "\n".join(cells):  # a quote-prefixed cell: undo the prefix
            cells = [restore_cell(c) for c in cells]
        fields = dict(zip(names, cells, strict=True))
        properties: dict[str, str] = {}
        header = self.header
        for name, positions in self._multi:
            chosen = ""
            for position in positions:
                cell = restore_cell(values[position].strip())
                if not chosen:
                    chosen = cell
                elif cell:
                    properties[header[position]] = cell
            fields[name] = chosen
        for position in self.extra:
            cell = values[position].strip()
            if cell:
                properties[header[position]] = restore_cell(cell)
        return fields, properties

    @cached_property
    def _single(self) -> tuple[tuple[str, ...], Callable[[Sequence[str]], Sequence[str]]]:
        pairs = [(name, ps[0]) for name, ps in self.fields.items() if len(ps) == 1]
        names = tuple(name for name, _ in pairs)
        positions = [position for _, position in pairs]
        if len(positions) >= 2:
            getter: Callable[[Sequence[str]], Sequence[str]] = itemgetter(*positions)
            return names, getter
        if positions:
            only = positions[0]
            return names, lambda values: (values[only],)
        return names, lambda values: ()

    @cached_property
    def _multi(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        return tuple((name, ps) for name, ps in self.fields.items() if len(ps) > 1)


def bind(
    header: Sequence[str],
    format_name: str,
    entity: Entity | str,
    *,
    columns: Mapping[str, str] | None = None,
    given: frozenset[str] = frozenset(),
) -> BoundColumns:
    """Bind a format's mapping for ``entity`` to ``header``; :class:`FormatError` if unfit.

    ``columns`` (field → header) overrides the format for those fields; ``given`` names
    fields the import supplies for every row (e.g. a stage for the whole file), so the
    file need not have a column for them.
    """
    kind = Entity(entity)
    mapping = _mapping(format_name, kind)
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(header_key(name), index)
    fields: dict[str, tuple[int, ...]] = {}
    chosen = _chosen_columns(columns or {}, positions, kind)
    taken = set(chosen.values())
    for field_name, names in mapping.items():
        if field_name in chosen:
            continue
        keys = map(header_key, names)
        found = tuple(
            dict.fromkeys(
                positions[k] for k in keys if k in positions and positions[k] not in taken
            )
        )
        if found:
            fields[field_name] = found
    fields.update((name, (position,)) for name, position in chosen.items())
    used = {p for positions_ in fields.values() for p in positions_}
    missing = [f for f in REQUIRED[kind] if f not in fields and f not in given]
    if missing:
        wanted = "; ".join(f"{f}: {' or '.join(repr(n) for n in mapping[f])}" for f in missing)
        raise FormatError(
            f"the {format_name} {kind} format needs columns for {wanted} "
            "(or name them with --column FIELD=HEADER)"
        )
    either = _EITHER.get(kind, ())
    if either and not any(f in fields or f in given for f in either):
        choices = " or ".join(repr(f) for f in either)
        hint = " (or give --stage for the whole file)" if kind is Entity.OPPORTUNITIES else ""
        raise FormatError(f"{kind} need a column for {choices}{hint}")
    skip = {header_key(ERROR_COLUMN)}
    extra = tuple(
        i for i, name in enumerate(header) if i not in used and header_key(name) not in skip
    )
    return BoundColumns(format_name, kind, tuple(header), fields, extra)


def detect_format(header: Sequence[str], entity: Entity | str) -> str:
    """The format whose headers cover most of ``header``; between formats that cover as
    many, the one that spells more of them exactly as the file does (a CRM's "Opportunity
    ID" over generic's ``opportunity_id``); ``generic`` when still tied."""
    kind = Entity(entity)
    keys = {header_key(h) for h in header}
    spelled = set(header)
    best, best_hits = "generic", (-1, -1)
    for name, mappings in FORMATS.items():
        if kind not in mappings:
            continue
        names = [n for found in mappings[kind].values() for n in found]
        hits = (len(keys & {header_key(n) for n in names}), len(spelled & set(names)))
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def _chosen_columns(
    columns: Mapping[str, str], positions: Mapping[str, int], kind: Entity
) -> dict[str, int]:
    known = fields_of(kind)
    chosen: dict[str, int] = {}
    for field_name, name in columns.items():
        if field_name not in known:
            raise FormatError(
                f"--column {field_name}={name}: {kind} have no field {field_name!r}; "
                f"use one of {', '.join(sorted(known))}"
            )
        position = positions.get(header_key(name))
        if position is None:
            raise FormatError(f"--column {field_name}={name}: the file has no column {name!r}")
        chosen[field_name] = position
    return chosen


def _mapping(format_name: str, entity: Entity) -> Columns:
    if format_name not in FORMATS:
        raise FormatError(f"unknown format {format_name!r}; use one of {', '.join(FORMATS)}")
    mappings = FORMATS[format_name]
    if entity not in mappings:
        offered = ", ".join(str(e) for e in mappings)
        raise FormatError(
            f"the {format_name} format has no {entity} mapping (it covers {offered}); "
            "use --format generic"
        )
    return mappings[entity]
