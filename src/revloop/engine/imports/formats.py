"""Which CSV column feeds which record field, for each format and kind of record.

Formats: ``generic`` (revloop's own field names, see :data:`GENERIC`), ``hubspot``
(contact, company and deal exports) and ``salesforce`` (report exports of Leads,
Contacts, Accounts and Opportunities; Leads and Contacts share the ``people`` mapping).
Headers are matched ignoring case and repeated spaces. Where several headers feed one
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

from revloop.engine.imports.safety import restore_cell

#: The column revloop's error CSV adds with the reasons; ignored when re-imported.
ERROR_COLUMN = "revloop_errors"


class Entity(StrEnum):
    PEOPLE = "people"
    ACCOUNTS = "accounts"
    TOUCHES = "touches"
    OPPORTUNITIES = "opportunities"


class FormatError(ValueError):
    """The file's columns do not fit the format (e.g. no email column for people)."""


Columns = Mapping[str, tuple[str, ...]]  # record field -> header names, in priority order


def _own(*fields: str) -> dict[str, tuple[str, ...]]:
    return {f: (f, f.replace("_", " ")) for f in fields}


GENERIC: Mapping[Entity, Columns] = {
    Entity.PEOPLE: {
        **_own(
            "external_id",
            "first_name",
            "last_name",
            "title",
            "phone",
            "company",
            "account_external_id",
            "country",
            "stage",
            "lead_status",
            "source",
            "owner",
            "industry",
            "employee_count",
            "created_at",
            "persona",
            "consent",
        ),
        "email": ("email", "email address"),
    },
    Entity.ACCOUNTS: {
        **_own(
            "external_id",
            "name",
            "industry",
            "employee_count",
            "country",
            "region",
            "owner",
            "tier",
            "created_at",
        ),
        "domain": ("domain", "website"),
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
    Entity.OPPORTUNITIES: _own(
        "external_id",
        "name",
        "stage",
        "amount",
        "currency",
        "close_date",
        "created_at",
        "closed_at",
        "account_name",
        "account_external_id",
        "contact_email",
        "owner",
        "source",
        "outcome_reason",
        "competitor",
    ),
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
        "external_id": ("Opportunity ID",),
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
    },
}

FORMATS: Mapping[str, Mapping[Entity, Columns]] = {
    "generic": GENERIC,
    "hubspot": HUBSPOT,
    "salesforce": SALESFORCE,
}

#: Fields a file must have a column for; touches need email or anonymous_id (checked
#: per row, since either column may be absent).
REQUIRED: Mapping[Entity, tuple[str, ...]] = {
    Entity.PEOPLE: ("email",),
    Entity.ACCOUNTS: ("name",),
    Entity.TOUCHES: ("occurred_at", "type"),
    Entity.OPPORTUNITIES: ("name", "stage", "amount", "close_date"),
}


def header_key(name: str) -> str:
    return " ".join(name.casefold().split())


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


def bind(header: Sequence[str], format_name: str, entity: Entity | str) -> BoundColumns:
    """Bind a format's mapping for ``entity`` to ``header``; :class:`FormatError` if unfit."""
    kind = Entity(entity)
    mapping = _mapping(format_name, kind)
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(header_key(name), index)
    used: set[int] = set()
    fields: dict[str, tuple[int, ...]] = {}
    for field_name, names in mapping.items():
        keys = map(header_key, names)
        found = tuple(dict.fromkeys(positions[k] for k in keys if k in positions))
        if found:
            fields[field_name] = found
            used.update(found)
    missing = [f for f in REQUIRED[kind] if f not in fields]
    if missing:
        wanted = "; ".join(f"{f}: {' or '.join(repr(n) for n in mapping[f])}" for f in missing)
        raise FormatError(f"the {format_name} {kind} format needs columns for {wanted}")
    if kind is Entity.TOUCHES and "email" not in fields and "anonymous_id" not in fields:
        raise FormatError("touches need an 'email' or an 'anonymous_id' column")
    skip = {header_key(ERROR_COLUMN)}
    extra = tuple(
        i for i, name in enumerate(header) if i not in used and header_key(name) not in skip
    )
    return BoundColumns(format_name, kind, tuple(header), fields, extra)


def detect_format(header: Sequence[str], entity: Entity | str) -> str:
    """The format whose headers cover most of ``header`` (``generic`` on a tie)."""
    kind = Entity(entity)
    keys = {header_key(h) for h in header}
    best, best_hits = "generic", -1
    for name, mappings in FORMATS.items():
        if kind not in mappings:
            continue
        known = {header_key(n) for names in mappings[kind].values() for n in names}
        hits = len(keys & known)
        if hits > best_hits:
            best, best_hits = name, hits
    return best


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
