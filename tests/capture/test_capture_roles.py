"""Capture checks the token's user as well as its scope: a viewer's or a role-less
account's token writes nothing, through the API or as a Segment write key."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.people.models import Person
from revloop.users.models import ApiToken, TokenScope, User

pytestmark = pytest.mark.django_db

EVENT = {
    "events": [
        {
            "event_id": "e-1",
            "timestamp": "2026-03-02T09:30:00+01:00",
            "type": "form_submit",
            "email": "ann@acme.example",
        }
    ]
}


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
@pytest.mark.parametrize("scope", [TokenScope.FULL, TokenScope.INGEST])
def test_a_viewer_or_role_less_token_writes_nothing(
    request: pytest.FixtureRequest,
    token_client: Callable[..., Client],
    persona: str,
    scope: str,
) -> None:
    client = token_client(request.getfixturevalue(persona), scope)
    events = client.post("/api/v1/events", EVENT, content_type="application/json")
    people = client.post(
        "/api/v1/people", {"people": [{"email": "bo@acme.example"}]}, "application/json"
    )
    assert [events.status_code, people.status_code] == [403, 403]
    assert events.json()["code"] == "forbidden"
    assert "capture.write" not in events.json()["message"]  # said in words, not a key
    assert "may not send people and events" in events.json()["message"]
    assert not Person.objects.exists()
    assert not Touch.objects.exists()


@pytest.mark.parametrize("persona", ["marketer", "rep"])
def test_roles_that_send_data_may(
    request: pytest.FixtureRequest, token_client: Callable[..., Client], persona: str
) -> None:
    client = token_client(request.getfixturevalue(persona), TokenScope.INGEST)
    response = client.post("/api/v1/events", EVENT, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["counts"] == {"stored": 1}
    assert Touch.objects.count() == 1


def test_a_viewers_segment_write_key_is_refused(viewer: User) -> None:
    key = ApiToken.issue(viewer, "website", TokenScope.INGEST)[1]
    basic = base64.b64encode(f"{key}:".encode()).decode()
    client = Client(headers={"Authorization": f"Basic {basic}"})
    response = client.post(
        "/v1/track",
        {"messageId": "m-1", "event": "Viewed", "userId": "u-1"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Touch.objects.exists()
