"""A small sales team: a manager with one rep, a second rep on another team, and leads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from revloop.engine.vocabulary import Role
from revloop.people.models import Person
from revloop.users.models import User
from tests import factories


@dataclass
class Team:
    manager: User
    rep: User
    other_rep: User
    other_manager: User
    admin: User
    lead: Person
    other_lead: Person
    unassigned: Person


@pytest.fixture
def team(make_user: Callable[..., User], manager: User, rep: User) -> Team:
    """mona manages rob; sam reports to nora. rob owns ``lead``, sam owns ``other_lead``."""
    rep.manager = manager
    rep.save(update_fields=["manager"])
    other_manager = make_user("nora", Role.SALES_MANAGER)
    other_rep = make_user("sam", Role.SALES_REP, manager=other_manager)
    admin = make_user("ada", Role.ADMIN)
    account = factories.account(name="Northwind Freight")
    return Team(
        manager=manager,
        rep=rep,
        other_rep=other_rep,
        other_manager=other_manager,
        admin=admin,
        lead=factories.person(
            email="lena@northwind.example", owner=rep, stage="mql", account=account
        ),
        other_lead=factories.person(email="otto@contoso.example", owner=other_rep, stage="mql"),
        unassigned=factories.person(email="una@fabrikam.example", stage="mql"),
    )
