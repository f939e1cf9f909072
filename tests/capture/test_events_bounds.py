"""A bad event is refused alone, with its index and reason; the rest of its batch is stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.core.bounds import MAX_JSON_DEPTH
from revloop.users.models import TokenScope, User

pytestmark = pytest.mark.django_db


def _event(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"e-{n}",
        "timestamp": "2026-03-02T09:30:00+01:00",
        "type": "page_view",
        "email": f"visitor{n}@acme.example",
        **fields,
    }


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.fixture
def ingest(rep: User, token_client: Callable[..., Client]) -> Client:
    return token_client(rep, TokenScope.INGEST)


def _post_text(client: Client, text: str) -> Any:
    return client.post("/api/v1/events", data=text, content_type="application/json")


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        ({"content_id": 2**64}, "content_id", "less than or equal"),
        ({"content_id": -1}, "content_id", "greater than or equal"),
        ({"properties": {"score": float("nan")}}, "properties", "not a finite number"),
        ({"properties": {"x": [float("inf")]}}, "properties", "not a finite number"),
        ({"properties": _nested(MAX_JSON_DEPTH + 1)}, "properties", "nested deeper than"),
        ({"properties": {"a\x00b": 1}}, "properties", "NUL"),
        ({"properties": {"note": "a\x00b"}}, "properties", "NUL"),
        ({"url": "https://x.example/\x00"}, "url", "NUL"),
        ({"campaign": "spring\x00"}, "campaign", "NUL"),
        ({"timestamp": "9999-12-31T00:00:00+00:00"}, "timestamp", "1900-2200"),
    ],
)
def test_a_bad_event_is_rejected_alone_and_the_rest_are_stored(
    ingest: Client, bad: dict[str, Any], field: str, reason: str
) -> None:
    # json.dumps writes NaN and Infinity as bare words, as a careless client would.
    batch = [_event(0), _event(1, **bad), _event(2)]
    response = _post_text(ingest, json.dumps(batch))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"stored": 2, "rejected": 1}
    rejected = body["results"][1]
    assert (rejected["index"], rejected["id"], rejected["status"]) == (1, "e-1", "rejected")
    assert rejected["errors"][0]["field"].startswith(field)
    assert reason in rejected["errors"][0]["message"]
    assert sorted(Touch.objects.values_list("event_id", flat=True)) == ["e-0", "e-2"]


def test_nesting_up_to_the_limit_is_stored(ingest: Client) -> None:
    response = _post_text(ingest, json.dumps([_event(0, properties=_nested(MAX_JSON_DEPTH - 1))]))
    assert response.json()["counts"] == {"stored": 1}


def test_a_body_nested_beyond_what_can_be_parsed_is_a_400(ingest: Client) -> None:
    text = json.dumps([_event(0)])[:-1] + ", " + "[" * 5000 + "]" * 5000 + "]"
    response = _post_text(ingest, text)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "nested" in response.json()["message"]
    assert not Touch.objects.exists()
