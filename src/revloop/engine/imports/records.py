"""Typed, validated records: what one good CSV row (or API item) becomes.

Field names follow the Django models (people.Person / Account, activity.Touch,
pipeline.Opportunity). References to other objects stay as the file gave them
(``owner`` as a name or email, ``company`` / ``account_name`` as text,
``account_external_id`` as the source system's id); resolving them is the caller's job.
Every record keeps its spreadsheet ``row`` and the file's unmapped cells in
``properties``; ``warnings`` are the row's notes that did not stop it (a value the
file lacked and revloop filled in, dates out of order).

**People without an email.** A lead export may name its people only by the id its
system gave them (Olist's MQLs). Such a person's identity key is ``id:`` + that
external id (:func:`external_identity_key`), where everyone else's is their canonical
mailbox: the key never contains ``@``, so the two kinds cannot collide, and importing
the same file again finds the same people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from revloop.engine.imports.errors import RowError
from revloop.engine.vocabulary import Channel, LifecycleStage, OpportunityStage, TouchType

EXTERNAL_ID_KEY_PREFIX = "id:"


def external_identity_key(external_id: str) -> str:
    """The identity key of a person known only by their id in another system."""
    return EXTERNAL_ID_KEY_PREFIX + external_id


def _no_properties() -> Mapping[str, str]:
    return {}


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person. ``email`` is the normalised address, ``canonical_email`` its identity key.

    Both are empty for a person known only by ``external_id`` (see the module doc).
    """

    row: int
    email: str
    canonical_email: str
    is_free_mail: bool = False
    external_id: str = ""
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    phone: str = ""
    persona: str = ""
    company: str = ""
    account_external_id: str = ""
    country: str = ""
    stage: LifecycleStage | None = None
    source: str = ""
    owner: str = ""
    consent: str = ""
    industry: str = ""
    employee_count: int | None = None
    created_at: datetime | None = None
    properties: Mapping[str, str] = field(default_factory=_no_properties)
    warnings: tuple[RowError, ...] = ()

    @property
    def identity_key(self) -> str:
        """The canonical email, or for a person without one the external id's key."""
        return self.canonical_email or external_identity_key(self.external_id)


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account. ``domain`` is normalised (``https://www.acme.com/`` → ``acme.com``)."""

    row: int
    name: str
    external_id: str = ""
    domain: str = ""
    industry: str = ""
    employee_count: int | None = None
    country: str = ""
    region: str = ""
    tier: str = ""
    owner: str = ""
    created_at: datetime | None = None
    properties: Mapping[str, str] = field(default_factory=_no_properties)


@dataclass(frozen=True, slots=True)
class TouchRecord:
    """A touch. ``event_id_derived`` is true when the id was computed (see rows.py)."""

    row: int
    event_id: str
    occurred_at: datetime
    type: TouchType
    email: str = ""
    canonical_email: str = ""
    anonymous_id: str = ""
    channel: Channel | None = None
    campaign: str = ""
    content: str = ""
    url: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""
    event_id_derived: bool = False
    properties: Mapping[str, str] = field(default_factory=_no_properties)


@dataclass(frozen=True, slots=True)
class OpportunityRecord:
    """An opportunity; ``amount`` is a non-negative Decimal with at most two decimals.

    ``close_date`` is ``None`` only for an open opportunity whose file gave none (the
    importer then uses the import date and says so in a warning); a closed one always
    has its close date and ``closed_at``. ``created_at`` is ``None`` when the file has
    no created date. ``account_name_column`` is the header the account name came from,
    so that a name that matches no account is kept under it.
    """

    row: int
    name: str
    stage: OpportunityStage
    amount: Decimal
    currency: str
    close_date: date | None
    external_id: str = ""
    created_at: datetime | None = None
    closed_at: datetime | None = None
    account_name: str = ""
    account_external_id: str = ""
    contact_email: str = ""
    contact_external_id: str = ""
    owner: str = ""
    source: str = ""
    outcome_reason: str = ""
    competitor: str = ""
    account_name_column: str = ""
    #: False when the amount cell was empty (``amount`` is then 0 for a new record and
    #: leaves a stored amount alone).
    amount_given: bool = True
    properties: Mapping[str, str] = field(default_factory=_no_properties)
    warnings: tuple[RowError, ...] = ()


Record = PersonRecord | AccountRecord | TouchRecord | OpportunityRecord
