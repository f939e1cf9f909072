"""Re-assigning by hand stays within the manager's team, and only to someone who owns leads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from revloop.engine.vocabulary import Role
from revloop.people.models import Person
from revloop.routing.actions import do_route_people
from revloop.routing.models import Assignment
from revloop.users.models import User
from tests.routing.conftest import BERLIN_MORNING

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _emea_lead(make_mql: Callable[..., Person]) -> Person:
    lead = make_mql(region="EMEA")
    do_route_people([lead.pk], BERLIN_MORNING)
    lead.refresh_from_db()
    return lead


def _reassign(client: Client, lead: Person, to: str | None = None) -> tuple[int, str]:
    body = {"to": to} if to else {}
    response = client.post(
        f"/api/v1/people/{lead.pk}/reassign", body, content_type="application/json"
    )
    return response.status_code, response.json().get("code", "")


def test_a_manager_may_not_reassign_another_teams_lead(
    team: dict[str, User], make_mql: Callable[..., Person], token_client: ClientFor
) -> None:
    lead = _emea_lead(make_mql)
    assert _reassign(token_client(team["nina"]), lead, "rachel") == (403, "forbidden")
    assert _reassign(token_client(team["nina"]), lead) == (403, "forbidden")
    assert Assignment.objects.filter(person=lead).count() == 1


def test_a_manager_may_not_give_their_lead_to_another_teams_rep(
    team: dict[str, User], make_mql: Callable[..., Person], token_client: ClientFor
) -> None:
    lead = _emea_lead(make_mql)
    assert _reassign(token_client(team["erik"]), lead, "rachel") == (403, "forbidden")
    assert Assignment.objects.filter(person=lead).count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MARKETING, None])
def test_nobody_gives_a_lead_to_someone_who_takes_none(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    token_client: ClientFor,
    make_user: Callable[..., User],
    role: Role | None,
) -> None:
    """Not even an admin, and not even within the manager's team."""
    make_user("quinn", role, manager=team["erik"])
    admin = make_user("ada", Role.ADMIN)
    lead = _emea_lead(make_mql)
    for by in (team["erik"], admin):
        assert _reassign(token_client(by), lead, "quinn") == (400, "invalid")
    assert Assignment.objects.filter(person=lead).count() == 1


def test_an_admin_reassigns_across_teams(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    token_client: ClientFor,
    make_user: Callable[..., User],
) -> None:
    lead = _emea_lead(make_mql)
    assert _reassign(token_client(make_user("ada", Role.ADMIN)), lead, "rachel") == (201, "")
    lead.refresh_from_db()
    assert lead.owner == team["rachel"]


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.MARKETING, Role.VIEWER, None])
def test_roles_without_reach_may_not_reassign(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    token_client: ClientFor,
    make_user: Callable[..., User],
    role: Role | None,
) -> None:
    lead = _emea_lead(make_mql)
    assert _reassign(token_client(make_user("quinn", role)), lead, "jonas") == (403, "forbidden")
    assert Assignment.objects.filter(person=lead).count() == 1
