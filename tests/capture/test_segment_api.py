"""Segment-spec ingestion at /v1/…: what the Segment and RudderStack libraries send is stored."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.people.models import Account, AnonymousIdentity, Person
from revloop.users.models import ApiToken, TokenScope, User


def _client(key: str) -> Client:
    basic = base64.b64encode(f"{key}:".encode()).decode()
    return Client(headers={"Authorization": f"Basic {basic}"})


@pytest.fixture
def write_key(rep: User) -> str:
    return ApiToken.issue(rep, "website", TokenScope.INGEST)[1]


@pytest.fixture
def segment(write_key: str) -> Client:
    return _client(write_key)


def _post(client: Client, path: str, body: object, **headers: str) -> Any:
    data: bytes | str = json.dumps(body)
    if headers.get("Content-Encoding") == "gzip":
        data = gzip.compress(str(data).encode())
    return client.post(path, data=data, content_type="application/json", headers=headers)


def _track(n: int, event: str = "Form Submitted", **fields: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "messageId": f"m-{n}",
        "event": event,
        "anonymousId": f"anon-{n}",
        "timestamp": "2026-03-02T09:30:00+01:00",
        **fields,
    }


@pytest.mark.django_db
def test_a_track_call_is_a_touch_of_the_mapped_type(segment: Client) -> None:
    response = _post(segment, "/v1/track", _track(1, properties={"form": "pricing"}))
    assert response.status_code == 200
    assert response.json() == {"success": True}
    touch = Touch.objects.get(event_id="m-1")
    assert touch.type == "form_submit"
    assert touch.anonymous_id == "anon-1"
    assert touch.occurred_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert touch.properties == {"form": "pricing", "event": "Form Submitted", "call": "track"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("event", "touch_type"),
    [
        ("Webinar Attended", "webinar"),
        ("Demo Requested", "form_submit"),
        ("Email Clicked", "email_click"),
        ("content downloaded", "content_download"),
        ("Pricing Calculator Used", "event"),
    ],
)
def test_event_names_map_to_touch_types(segment: Client, event: str, touch_type: str) -> None:
    assert _post(segment, "/v1/track", _track(1, event)).status_code == 200
    touch = Touch.objects.get()
    assert (touch.type, touch.properties["event"]) == (touch_type, event)


@pytest.mark.django_db
def test_the_mapping_file_in_revloop_home_replaces_the_defaults(
    segment: Client, settings: Any, tmp_path: Any
) -> None:
    settings.REVLOOP_HOME = tmp_path
    (tmp_path / "segment_events.yaml").write_text(
        "events:\n  Trial Started: {type: meeting, channel: direct}\n"
    )
    _post(segment, "/v1/batch", {"batch": [_track(1, "Trial Started"), _track(2)]})
    assert dict(Touch.objects.values_list("event_id", "type")) == {"m-1": "meeting", "m-2": "event"}
    assert Touch.objects.get(event_id="m-1").channel == "direct"


@pytest.mark.django_db
def test_a_page_call_is_a_page_view_with_its_campaign_and_referrer(segment: Client) -> None:
    page = {
        "type": "page",
        "messageId": "p-1",
        "anonymousId": "anon-1",
        "name": "Pricing",
        "timestamp": "2026-03-02T09:30:00Z",
        "context": {
            "campaign": {"name": "spring", "source": "google", "medium": "cpc", "term": "crm"},
            "page": {
                "url": "https://acme.example/pricing",
                "referrer": "https://www.google.com/",
                "title": "Pricing — Acme",
            },
        },
    }
    assert _post(segment, "/v1/page", page).json() == {"success": True}
    touch = Touch.objects.get()
    assert touch.type == "page_view"
    assert touch.url == "https://acme.example/pricing"
    assert (touch.utm_campaign, touch.utm_source, touch.utm_medium, touch.utm_term) == (
        "spring",
        "google",
        "cpc",
        "crm",
    )
    assert touch.properties["referrer"] == "https://www.google.com/"
    assert touch.properties["title"] == "Pricing — Acme"


@pytest.mark.django_db
def test_utm_parameters_of_the_landing_url_count_when_no_campaign_is_sent(segment: Client) -> None:
    url = "https://acme.example/?utm_source=linkedin&utm_medium=social&utm_campaign=launch"
    screen = {"type": "screen", "messageId": "s-1", "anonymousId": "a", "properties": {"url": url}}
    assert _post(segment, "/v1/screen", screen).status_code == 200
    touch = Touch.objects.get()
    assert (touch.type, touch.utm_source, touch.utm_campaign) == ("page_view", "linkedin", "launch")


@pytest.mark.django_db
def test_a_message_id_sent_twice_is_stored_once(segment: Client) -> None:
    batch = {"batch": [_track(1), _track(2)]}
    assert _post(segment, "/v1/batch", batch).json() == {"success": True}
    assert _post(segment, "/v1/batch", batch).json() == {"success": True}
    assert _post(segment, "/v1/track", _track(1)).status_code == 200
    assert Touch.objects.count() == 2


@pytest.mark.django_db
def test_gzip_bodies_are_read(segment: Client) -> None:
    response = _post(segment, "/v1/batch", {"batch": [_track(1)]}, **{"Content-Encoding": "gzip"})
    assert response.json() == {"success": True}
    assert Touch.objects.filter(event_id="m-1").exists()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_even_when_compressed(
    segment: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    padding: dict[str, Any] = {"properties": {"x": "y" * 5000}}
    response = _post(
        segment, "/v1/batch", {"batch": [_track(1, **padding)]}, **{"Content-Encoding": "gzip"}
    )
    assert response.status_code == 413
    assert Touch.objects.count() == 0


@pytest.mark.django_db
def test_the_write_key_is_an_ingest_token_in_basic_auth(
    client: Client, rep: User, write_key: str
) -> None:
    assert _post(client, "/v1/track", _track(1)).status_code == 401
    assert _post(_client("rl_not-a-token"), "/v1/track", _track(1)).status_code == 401
    full = ApiToken.issue(rep, "full", TokenScope.FULL)[1]
    refused = _post(_client(full), "/v1/track", _track(1))
    assert refused.status_code == 401
    assert "ingest-scoped" in refused.json()["message"]
    bearer = Client(headers={"Authorization": f"Bearer {write_key}"})
    assert _post(bearer, "/v1/track", _track(1)).status_code == 401
    assert Touch.objects.count() == 0
    assert _post(_client(write_key), "/v1/track", _track(1)).status_code == 200


@pytest.mark.django_db
def test_identify_stitches_the_anonymous_history(segment: Client) -> None:
    _post(segment, "/v1/batch", {"batch": [_track(1), _track(2, anonymousId="anon-1")]})
    identify = {
        "type": "identify",
        "messageId": "i-1",
        "anonymousId": "anon-1",
        "userId": "u-42",
        "traits": {
            "email": "Ada@Acme.example",
            "firstName": "Ada",
            "title": "CTO",
            "address": {"country": "GB"},
        },
    }
    assert _post(segment, "/v1/identify", identify).json() == {"success": True}
    person = Person.objects.get(email="ada@acme.example")
    assert (person.first_name, person.title, person.country) == ("Ada", "CTO", "GB")
    assert person.touches.count() == 2
    # Later calls that carry only the userId find the same person.
    _post(segment, "/v1/track", {**_track(3), "anonymousId": None, "userId": "u-42"})
    assert Touch.objects.get(event_id="m-3").person == person


@pytest.mark.django_db
def test_an_email_user_id_identifies_directly(segment: Client) -> None:
    _post(segment, "/v1/track", {**_track(1), "anonymousId": None, "userId": "bo@acme.example"})
    assert Touch.objects.get().person == Person.objects.get(email="bo@acme.example")


@pytest.mark.django_db
def test_a_user_id_and_anonymous_id_seen_together_are_one_visitor(segment: Client) -> None:
    identify = {"type": "identify", "userId": "u-1", "traits": {"email": "cy@acme.example"}}
    _post(segment, "/v1/identify", identify)
    _post(segment, "/v1/track", _track(1, userId="u-1", anonymousId="new-device"))
    person = Person.objects.get(email="cy@acme.example")
    assert Touch.objects.get().person == person
    assert AnonymousIdentity.objects.get(anonymous_id="new-device").person == person


@pytest.mark.django_db
def test_alias_merges_the_previous_identity_into_the_user(segment: Client) -> None:
    first = {"type": "identify", "anonymousId": "a-1", "traits": {"email": "old@acme.example"}}
    second = {"type": "identify", "userId": "u-9", "traits": {"email": "new@acme.example"}}
    _post(segment, "/v1/batch", {"batch": [first, second, _track(1, anonymousId="a-1")]})
    assert Person.objects.count() == 2
    alias = {"type": "alias", "previousId": "a-1", "userId": "u-9"}
    assert _post(segment, "/v1/alias", alias).json() == {"success": True}
    survivor = Person.objects.get()
    assert survivor.email == "new@acme.example"
    assert Touch.objects.get().person == survivor


@pytest.mark.django_db
def test_alias_of_an_unknown_previous_id_ties_it_to_the_user(segment: Client) -> None:
    _post(segment, "/v1/track", _track(1, anonymousId="device-7"))
    _post(segment, "/v1/identify", {"userId": "u-3", "traits": {"email": "di@acme.example"}})
    _post(segment, "/v1/alias", {"previousId": "device-7", "userId": "u-3"})
    assert Touch.objects.get().person == Person.objects.get(email="di@acme.example")


@pytest.mark.django_db
def test_the_first_touch_keeps_its_campaign_after_identify(segment: Client) -> None:
    landing = _track(1, context={"campaign": {"name": "q2-webinar", "source": "newsletter"}})
    later = _track(2, "Demo Requested", anonymousId="anon-1")
    later["timestamp"] = "2026-03-03T09:30:00+01:00"
    identify = {"type": "identify", "anonymousId": "anon-1", "traits": {"email": "ed@acme.example"}}
    _post(segment, "/v1/batch", {"batch": [landing, later, identify]})
    first = Person.objects.get().touches.order_by("occurred_at").first()
    assert first is not None
    assert (first.utm_campaign, first.utm_source) == ("q2-webinar", "newsletter")


@pytest.mark.django_db
def test_a_device_clock_is_corrected_by_sent_at(segment: Client) -> None:
    # The device clock runs a day ahead: it says it sent at noon on 3 March, and the
    # event happened ten minutes before that by the same clock.
    message = {**_track(1), "timestamp": None, "originalTimestamp": "2026-03-03T11:50:00Z"}
    message["sentAt"] = "2026-03-03T12:00:00Z"
    before = datetime.now(UTC)
    _post(segment, "/v1/track", message)
    occurred = Touch.objects.get().occurred_at
    assert before.timestamp() - 600 - 5 < occurred.timestamp() < datetime.now(UTC).timestamp() - 600


@pytest.mark.django_db
def test_the_batch_sent_at_corrects_every_message_without_its_own(segment: Client) -> None:
    message = {**_track(1), "timestamp": None, "originalTimestamp": "2020-01-01T00:00:00Z"}
    _post(segment, "/v1/batch", {"batch": [message], "sentAt": "2020-01-01T00:00:30Z"})
    age = datetime.now(UTC) - Touch.objects.get().occurred_at
    assert 29 < age.total_seconds() < 40


@pytest.mark.django_db
def test_a_group_call_puts_the_person_in_the_account(segment: Client) -> None:
    _post(segment, "/v1/identify", {"userId": "u-1", "traits": {"email": "fa@gmail.com"}})
    group = {
        "type": "group",
        "userId": "u-1",
        "groupId": "org-77",
        "traits": {"name": "Initech", "website": "https://www.initech.example/about"},
    }
    assert _post(segment, "/v1/group", group).json() == {"success": True}
    account = Account.objects.get()
    assert (account.name, account.domain) == ("Initech", "initech.example")
    assert Person.objects.get().account == account
    # The same group id later finds the same account, whatever its traits say.
    _post(segment, "/v1/identify", {"userId": "u-2", "traits": {"email": "gi@gmail.com"}})
    _post(segment, "/v1/group", {**group, "userId": "u-2", "traits": {}})
    assert Account.objects.count() == 1
    assert Person.objects.get(email="gi@gmail.com").account == account


@pytest.mark.django_db
def test_one_bad_message_does_not_lose_the_rest_of_its_batch(segment: Client) -> None:
    batch = [
        _track(1),
        {"type": "track", "messageId": "no-name", "anonymousId": "x"},
        {"type": "teleport", "messageId": "odd"},
        _track(2, timestamp="yesterday"),
        {"type": "identify", "anonymousId": "x", "traits": {"email": "not-an-email"}},
        _track(3),
    ]
    response = _post(segment, "/v1/batch", {"batch": batch})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["stored"] == 2
    assert [(e["index"], e["messageId"]) for e in body["errors"]] == [
        (1, "no-name"),
        (2, "odd"),
        (3, "m-2"),
        (4, body["errors"][3]["messageId"]),
    ]
    assert "event" in body["errors"][0]["reason"]
    assert "teleport" in body["errors"][1]["reason"]
    assert "timestamp" in body["errors"][2]["reason"]
    assert "traits.email" in body["errors"][3]["reason"]
    assert set(Touch.objects.values_list("event_id", flat=True)) == {"m-1", "m-3"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[]", "JSON object"),
        ("{not json", "not valid JSON"),
        ('{"batch": {}}', '{"batch": [...]}'),
    ],
)
def test_a_malformed_request_is_a_400_with_the_reason(
    segment: Client, body: str, reason: str
) -> None:
    response = segment.post("/v1/batch", data=body, content_type="application/json")
    assert response.status_code == 400
    assert reason in response.json()["message"]


@pytest.mark.django_db
def test_a_single_call_without_any_identity_is_a_400(segment: Client) -> None:
    response = _post(segment, "/v1/track", {"event": "Form Submitted", "messageId": "m"})
    assert response.status_code == 400
    assert "anonymousId" in response.json()["errors"][0]["reason"]


@pytest.mark.django_db
def test_each_path_takes_only_posts(segment: Client, make_user: Callable[..., User]) -> None:
    assert segment.get("/v1/batch").status_code == 405
