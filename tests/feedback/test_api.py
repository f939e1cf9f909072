"""Sales feedback over the API: the lead's owner may, another rep or a viewer may not."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from revloop.feedback.models import HeardItem, Note, SalesActivity
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity
from revloop.users.models import User
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("activities", {"kind": "call", "outcome": "connected", "note": "intro"}, SalesActivity),
        ("heard", {"kind": "objection", "text": "Too expensive", "topic": "price"}, HeardItem),
        ("notes", {"text": "Call back Tuesday"}, Note),
    ],
)
def test_the_owner_records_and_others_are_refused(
    *,
    token_client: Callable[..., Client],
    team: Team,
    viewer: User,
    path: str,
    body: dict[str, Any],
    model: type[SalesActivity | HeardItem | Note],
) -> None:
    url = f"/api/v1/people/{team.lead.email}/{path}"
    for user in (team.other_rep, viewer):
        status, data = post(token_client(user), url, body)
        assert (status, data["code"]) == (403, "forbidden")
    status, data = post(token_client(team.rep), url, body)
    assert status == 201, data
    assert (data["person_id"], data["user"]) == (team.lead.pk, "rob")
    assert model.objects.count() == 1


def test_a_bad_activity_is_a_400_naming_the_field(
    token_client: Callable[..., Client], team: Team
) -> None:
    status, data = post(
        token_client(team.rep), f"/api/v1/people/{team.lead.pk}/activities", {"kind": "fax"}
    )
    assert (status, data["code"]) == (400, "invalid")
    assert data["message"].startswith("kind: 'fax'")


def test_verdicts_check_ownership_unlike_a_bare_transition(
    token_client: Callable[..., Client], team: Team
) -> None:
    url = f"/api/v1/people/{team.lead.pk}/verdicts"
    body = {"verdict": "reject", "reason_code": "no_budget", "note": "frozen until Q3"}
    status, _ = post(token_client(team.other_rep), url, body)
    assert status == 403
    status, data = post(token_client(team.manager), url, body)
    assert status == 201, data
    assert data["transition"]["reason_code"] == "no_budget"
    assert data["stage"] == "recycled"


def test_convert_opens_a_deal(token_client: Callable[..., Client], team: Team) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sal")
    url = f"/api/v1/people/{team.lead.pk}/convert"
    body = {"name": "Northwind", "amount": "1200.50", "currency": "EUR", "close_date": "2027-02-01"}
    status, _ = post(token_client(team.other_rep), url, body)
    assert status == 403
    status, data = post(token_client(team.rep), url, body)
    assert status == 201, data
    assert (data["stage"], data["amount"], data["currency"], data["owner"]) == (
        "discovery",
        "1200.50",
        "EUR",
        "rob",
    )
    assert Opportunity.objects.get().primary_contact_id == team.lead.pk
    assert Person.objects.get(pk=team.lead.pk).stage == "opportunity"
