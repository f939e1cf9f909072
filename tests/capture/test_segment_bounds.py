"""A bad Segment message is refused alone, with its index and reason; its batch is stored.

What the native events API refuses (non-finite numbers, NUL characters, nesting past
the limit, ids out of range, absurd dates) is refused on /v1/batch too, for every kind
of call, and never costs the other messages of the batch.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.core.bounds import MAX_JSON_DEPTH
from revloop.people.models import Account, AnonymousIdentity, Person
from revloop.users.models import ApiToken, TokenScope, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment(rep: User) -> Client:
    key = ApiToken.issue(rep, "website", TokenScope.INGEST)[1]
    return Client(
        headers={"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    )


def _track(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "event": "Form Submitted",
        "messageId": f"m-{n}",
        "anonymousId": f"anon-{n}",
        "timestamp": "2026-03-02T09:30:00+01:00",
        **fields,
    }


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"k": value}
    return value


def _post_text(client: Client, text: str) -> Any:
    return client.post("/v1/batch", data=text, content_type="application/json")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (_track(1, properties={"score": float("nan")}), "finite"),
        (_track(1, properties={"x": [float("inf")]}), "finite"),
        (_track(1, properties=_nested(MAX_JSON_DEPTH + 1)), "nested deeper"),
        (_track(1, properties={"note": "a\x00b"}), "NUL"),
        (_track(1, anonymousId="anon\x00"), "NUL"),
        (_track(1, event="Form\x00Submitted"), "NUL"),
        (_track(1, context={"page": {"url": "https://x.example/\x00"}}), "NUL"),
        (_track(1, timestamp="9999-12-31T00:00:00+00:00"), "1900-2200"),
        (_track(1, context={"campaign": {"name": "spring\x00"}}), "NUL"),
        (_track(1, context={"campaign": {"source": "s" * 201}}), "200"),
        (_track(1, context={"page": {"url": "https://x.example/" + "p" * 2000}}), "2,000"),
        (_track(1, anonymousId="a" * 300), "128"),
        (_track(1, userId="u" * 300, anonymousId=""), "123"),
        (_track(1, messageId="m\x00"), "NUL"),
        ({"type": "identify", "messageId": "m-1", "userId": "u\x00", "anonymousId": "a"}, "NUL"),
        (
            {
                "type": "identify",
                "messageId": "m-1",
                "anonymousId": "a",
                "traits": {"email": "ada@x.example", "firstName": "A\x00"},
            },
            "NUL",
        ),
        ({"type": "alias", "messageId": "m-1", "previousId": "p\x00", "userId": "u"}, "NUL"),
        (
            {
                "type": "group",
                "messageId": "m-1",
                "anonymousId": "anon-0",
                "groupId": "g\x00",
                "traits": {"name": "Acme"},
            },
            "NUL",
        ),
        (
            {
                "type": "group",
                "messageId": "m-1",
                "anonymousId": "anon-0",
                "groupId": "g-1",
                "traits": {"name": "Acme\x00"},
            },
            "NUL",
        ),
        ({"type": "group", "messageId": "m-1", "anonymousId": "a", "groupId": "g" * 300}, "255"),
        ({"type": "alias", "messageId": "m-1", "previousId": "p" * 300, "userId": "u"}, "128"),
    ],
)
def test_a_bad_message_is_refused_alone_and_the_rest_are_stored(
    segment: Client, bad: dict[str, Any], reason: str
) -> None:
    identified = _track(0, context={"traits": {"email": "zed@acme.example"}})
    # json.dumps writes NaN and Infinity as bare words, as a careless client would.
    response = _post_text(segment, json.dumps({"batch": [identified, bad, _track(2)]}))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["success"] is False
    assert [e["index"] for e in body["errors"]] == [1], body
    assert reason in body["errors"][0]["reason"], body
    assert set(Touch.objects.values_list("event_id", flat=True)) >= {"m-0", "m-2"}
    assert not Touch.objects.filter(event_id__startswith="m-1").exists()
    stored = [
        *Person.objects.values_list("first_name", flat=True),
        *AnonymousIdentity.objects.values_list("anonymous_id", flat=True),
        *Account.objects.values_list("name", flat=True),
    ]
    assert not [text for text in stored if "\x00" in text]


def test_a_body_nested_beyond_what_can_be_parsed_is_a_400(segment: Client) -> None:
    text = '{"batch": [' + json.dumps(_track(0)) + ", " + "[" * 5000 + "]" * 5000 + "]}"
    response = _post_text(segment, text)
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert "nested" in response.json()["message"]
    assert not Touch.objects.exists()


def test_an_unreadable_batch_sent_at_is_ignored_not_a_failure(segment: Client) -> None:
    response = _post_text(segment, json.dumps({"batch": [_track(0)], "sentAt": "\x00"}))
    assert response.json() == {"success": True}
    assert Touch.objects.filter(event_id="m-0").exists()
