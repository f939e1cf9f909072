"""POST /api/v1/events: idempotent, per-item answers, nothing half-written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.lifecycle.models import StageTransition
from revloop.people.models import AnonymousIdentity, Person
from revloop.users.models import TokenScope, User
from tests import factories


def _event(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"e-{n}",
        "timestamp": "2026-03-02T09:30:00+01:00",
        "type": "page_view",
        "email": f"visitor{n}@acme.example",
        "url": "https://revloop.example/pricing",
        **fields,
    }


def _post(client: Client, body: object) -> Any:
    return client.post("/api/v1/events", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def ingest(rep: User, token_client: Callable[..., Client]) -> Client:
    return token_client(rep, TokenScope.INGEST)


@pytest.mark.django_db
def test_it_stores_each_event_and_its_person(ingest: Client) -> None:
    response = _post(ingest, {"events": [_event(1), _event(2)]})
    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"stored": 2}
    assert [r["status"] for r in body["results"]] == ["stored", "stored"]
    assert Touch.objects.count() == 2
    person = Person.objects.get(email="visitor1@acme.example")
    assert person.stage == "lead"
    assert person.touches.get().occurred_at.isoformat() == "2026-03-02T08:30:00+00:00"
    assert StageTransition.objects.filter(person=person, to_stage="lead").count() == 1


@pytest.mark.django_db
def test_sending_the_same_batch_twice_stores_it_once(ingest: Client) -> None:
    batch = {"events": [_event(1), _event(2)]}
    _post(ingest, batch)
    again = _post(ingest, batch).json()
    assert again["counts"] == {"duplicate": 2}
    assert Touch.objects.count() == 2
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_a_repeated_id_inside_one_batch_is_a_duplicate(ingest: Client) -> None:
    body = _post(ingest, [_event(1), _event(1, type="form_submit")]).json()
    assert [r["status"] for r in body["results"]] == ["stored", "duplicate"]
    assert Touch.objects.get().type == "page_view"


@pytest.mark.django_db
def test_bad_items_are_rejected_with_the_field_and_good_ones_kept(ingest: Client) -> None:
    batch = [
        _event(1),
        _event(2, timestamp="yesterday"),
        _event(3, timestamp="2026-03-02T09:30:00"),  # no zone
        _event(4, email="not-an-email"),
        _event(5, type="telepathy"),
        _event(6, email=None),
        {"event_id": 7},
        "just a string",
    ]
    body = _post(ingest, batch).json()
    results = body["results"]
    assert results[0]["status"] == "stored"
    assert all(r["status"] == "rejected" for r in results[1:])
    fields = [{e["field"] for e in r["errors"]} for r in results[1:]]
    assert fields[0] == {"timestamp"}
    assert fields[1] == {"timestamp"}
    assert "time zone" in results[2]["errors"][0]["message"]
    assert fields[2] == {"email"}
    assert fields[3] == {"type"}
    assert fields[4] == {"email"}
    assert {"timestamp", "type"} <= fields[5]
    assert Touch.objects.count() == 1


@pytest.mark.django_db
def test_emails_differing_in_case_are_one_person(ingest: Client) -> None:
    _post(ingest, [_event(1, email="Ada@Acme.Example"), _event(2, email=" ada@acme.example ")])
    assert Person.objects.count() == 1
    assert Person.objects.get().email == "ada@acme.example"


@pytest.mark.django_db
def test_a_corporate_email_joins_its_account(ingest: Client) -> None:
    acme = factories.account(domain="acme.example")
    _post(ingest, [_event(1, email="jo@eu.acme.example"), _event(2, email="jo@gmail.com")])
    assert Person.objects.get(email="jo@eu.acme.example").account == acme
    assert Person.objects.get(email="jo@gmail.com").account is None


@pytest.mark.django_db
def test_anonymous_touches_are_stitched_when_the_visitor_identifies(ingest: Client) -> None:
    _post(
        ingest,
        [
            _event(1, email=None, anonymous_id="anon-1"),
            _event(2, email=None, anonymous_id="anon-1"),
        ],
    )
    assert Touch.objects.filter(person__isnull=True).count() == 2
    _post(ingest, [_event(3, anonymous_id="anon-1", email="ada@acme.example", type="form_submit")])
    ada = Person.objects.get(email="ada@acme.example")
    assert ada.touches.count() == 3
    assert AnonymousIdentity.objects.get().person == ada
    # Later anonymous touches from the same browser belong to her straight away.
    _post(ingest, [_event(4, email=None, anonymous_id="anon-1")])
    assert ada.touches.count() == 4


@pytest.mark.django_db
def test_a_campaign_is_found_by_name_or_utm(ingest: Client) -> None:
    from revloop.activity.models import Campaign

    spring = Campaign.objects.create(
        name="Spring webinar", channel="webinars", utm_campaign="spring-26"
    )
    _post(
        ingest,
        [
            _event(1, campaign="Spring webinar"),
            _event(2, utm_campaign="spring-26"),
            _event(3, campaign="other"),
        ],
    )
    touches = {t.event_id: t for t in Touch.objects.all()}
    assert touches["e-1"].campaign == spring
    assert touches["e-2"].campaign == spring
    assert touches["e-3"].campaign is None
    assert touches["e-3"].utm_campaign == "other"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"events": 5}', 400),
        (b'"hello"', 400),
        (b"\xff\xfe", 400),
    ],
)
def test_a_malformed_body_is_a_400_with_a_message(ingest: Client, body: bytes, status: int) -> None:
    response = ingest.post("/api/v1/events", data=body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["message"]
    assert Touch.objects.count() == 0


@pytest.mark.django_db
def test_more_than_a_thousand_events_is_a_413(ingest: Client) -> None:
    response = _post(ingest, [_event(n) for n in range(1001)])
    assert response.status_code == 413
    assert Touch.objects.count() == 0


@pytest.mark.django_db
def test_an_oversized_body_is_a_413(ingest: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = _post(ingest, [_event(1, properties={"blob": "x" * 20_000})])
    assert response.status_code == 413
    assert Touch.objects.count() == 0


@pytest.mark.django_db
def test_a_thousand_events_are_accepted(ingest: Client) -> None:
    body = _post(ingest, [_event(n) for n in range(1000)]).json()
    assert body["counts"] == {"stored": 1000}


@pytest.mark.django_db
def test_it_refuses_without_a_token(client: Client) -> None:
    assert _post(client, [_event(1)]).status_code == 401
    assert Touch.objects.count() == 0


@pytest.mark.django_db
def test_a_full_token_may_ingest_too(rep: User, token_client: Callable[..., Client]) -> None:
    assert _post(token_client(rep), [_event(1)]).status_code == 200
