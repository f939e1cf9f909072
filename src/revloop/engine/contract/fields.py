"""The person and account fields a contract may test, and what kind of value each holds.

A fixed list, so that a misspelt field is an error at validation time rather than a
rule that silently never fires. The names mirror ``people.models.Person`` and
``people.models.Account``; ``person.email_domain`` is derived from the email.
"""

from __future__ import annotations

from enum import StrEnum


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"


FIELDS: dict[str, FieldKind] = {
    "person.email": FieldKind.TEXT,
    "person.email_domain": FieldKind.TEXT,
    "person.first_name": FieldKind.TEXT,
    "person.last_name": FieldKind.TEXT,
    "person.title": FieldKind.TEXT,
    "person.persona": FieldKind.TEXT,
    "person.phone": FieldKind.TEXT,
    "person.country": FieldKind.TEXT,
    "person.source": FieldKind.TEXT,
    "person.consent": FieldKind.TEXT,
    "account.name": FieldKind.TEXT,
    "account.domain": FieldKind.TEXT,
    "account.industry": FieldKind.TEXT,
    "account.employee_count": FieldKind.NUMBER,
    "account.country": FieldKind.TEXT,
    "account.region": FieldKind.TEXT,
    "account.tier": FieldKind.TEXT,
}

#: Derived fields: computed by the scoring engine from another column when absent.
DERIVED_FROM: dict[str, str] = {"person.email_domain": "person.email"}
