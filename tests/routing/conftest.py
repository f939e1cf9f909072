"""The default contract's sales team, leads to route, and a contract with small capacities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from revloop.contracts.models import ContractVersion
from revloop.contracts.versions import active_version
from revloop.engine.contract import Contract, default_contract_text, parse_contract
from revloop.engine.vocabulary import Role
from revloop.people.models import Account, Person
from revloop.users.models import User
from revloop.webhooks.models import EVENTS, WebhookEndpoint

#: A Tuesday: 11:00 in Berlin (EMEA is working), 06:00 in New York (not yet).
BERLIN_MORNING = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
#: The same Tuesday, 16:00 in Berlin and 11:00 in New York: both teams at work.
BOTH_WORKING = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)

EMEA = ("lena", "jonas", "sofia")
NORTH_AMERICA = ("rachel", "tom", "devon")


@pytest.fixture
def team(make_user: Callable[..., User]) -> dict[str, User]:
    """The default contract's six reps and their two managers."""
    nina = make_user("nina", Role.SALES_MANAGER, time_zone="America/New_York")
    erik = make_user("erik", Role.SALES_MANAGER, time_zone="Europe/Berlin")
    users = {"nina": nina, "erik": erik}
    for name in EMEA:
        users[name] = make_user(
            name, Role.SALES_REP, time_zone="Europe/Berlin", manager=erik, team="emea"
        )
    for name in NORTH_AMERICA:
        users[name] = make_user(
            name, Role.SALES_REP, time_zone="America/New_York", manager=nina, team="north_america"
        )
    active_version()
    return users


@pytest.fixture
def make_mql(db: None) -> Callable[..., Person]:
    counter = iter(range(1_000_000))

    def make(
        *,
        region: str = "",
        country: str = "",
        account_owner: User | None = None,
        owner: User | None = None,
        stage: str = "mql",
        at: datetime = BERLIN_MORNING,
    ) -> Person:
        n = next(counter)
        account = Account.objects.create(
            name=f"Account {n}", region=region, country=country, owner=account_owner, created_at=at
        )
        return Person.objects.create(
            email=f"lead{n}@account{n}.example",
            email_key=f"lead{n}@account{n}.example",
            account=account,
            stage=stage,
            stage_changed_at=at,
            owner=owner,
            created_at=at,
        )

    return make


@pytest.fixture
def small_capacity() -> Callable[[int], tuple[ContractVersion, Contract]]:
    """The active version with every member's capacity set to ``n``."""

    def make(n: int) -> tuple[ContractVersion, Contract]:
        text = default_contract_text().replace("capacity: 150", f"capacity: {n}")
        return active_version(), parse_contract(text)

    return make


@pytest.fixture
def hooks(db: None) -> WebhookEndpoint:
    """An endpoint subscribed to every event, so each emit leaves a delivery to count."""
    return WebhookEndpoint.objects.create(url="https://hooks.example/revloop", events=list(EVENTS))
