"""Builders shared by the contract, scoring and lifecycle tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from revloop.activity.models import ContentAsset, Touch
from revloop.engine.contract import default_contract_text
from revloop.people.models import Account, Person
from tests import factories


def contract_text(*replacements: tuple[str, str]) -> str:
    text = default_contract_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


#: Grade B rather than A qualifies: the smallest change that makes more MQLs.
WIDER = contract_text(("  min_grade: B\n", "  min_grade: C\n"))


def ideal_account(**fields: Any) -> Account:
    """Brightline's ideal customer: an industry it wins in, the right size, a served region."""
    values = {"industry": "Manufacturing", "employee_count": 800, "region": "EMEA", "country": "DE"}
    return factories.account(**(values | fields))


def ideal_person(**fields: Any) -> Person:
    """Fit 85, grade A: the account above plus a VP of operations."""
    values: dict[str, Any] = {"title": "VP Operations"}
    if "account" not in fields:
        values["account"] = ideal_account()
    return factories.person(**(values | fields))


def near_person(**fields: Any) -> Person:
    """Fit 35, grade C: right size and region, wrong industry, a manager."""
    account = ideal_account(industry="Retail")
    return factories.person(**({"title": "Store Manager", "account": account} | fields))


def demo_request(person: Person, at: datetime) -> Touch:
    """50 engagement points on the day it happens: enough for an MQL on its own."""
    asset = ContentAsset.objects.filter(kind="demo_request").first() or ContentAsset.objects.create(
        title="Request a Demo", kind="demo_request", url="https://www.brightline.io/demo"
    )
    return factories.touch(person=person, occurred_at=at, type="form_submit", content=asset)
