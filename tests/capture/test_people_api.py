"""POST /api/v1/people upserts by email; POST /api/v1/identify stitches anonymous touches."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.people.models import Person
from revloop.users.models import TokenScope, User
from tests import factories


def _post(client: Client, path: str, body: object) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def ingest(rep: User, token_client: Callable[..., Client]) -> Client:
    return token_client(rep, TokenScope.INGEST)


@pytest.mark.django_db
def test_people_are_created_then_updated_then_unchanged(ingest: Client) -> None:
    ada = {"email": "Ada@Acme.example", "first_name": "Ada", "title": "CTO", "country": "gb"}
    first = _post(ingest, "/api/v1/people", {"people": [ada]}).json()
    assert first["counts"] == {"created": 1}
    person = Person.objects.get()
    assert (person.email, person.first_name, person.title, person.country) == (
        "ada@acme.example",
        "Ada",
        "CTO",
        "GB",
    )

    second = _post(ingest, "/api/v1/people", [{"email": "ada@acme.example", "title": "CEO"}]).json()
    assert second["counts"] == {"updated": 1}
    person.refresh_from_db()
    assert person.title == "CEO"
    assert person.first_name == "Ada"  # left out: kept

    third = _post(
        ingest, "/api/v1/people", [{"email": "ADA@acme.example", "title": "CEO", "first_name": ""}]
    ).json()
    assert third["counts"] == {"unchanged": 1}
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_a_company_name_finds_the_account_when_the_domain_cannot(ingest: Client) -> None:
    globex = factories.account(name="Globex Corporation", domain="globex.example")
    _post(ingest, "/api/v1/people", [{"email": "hank@gmail.com", "company": "Globex Corp."}])
    assert Person.objects.get().account == globex


@pytest.mark.django_db
def test_bad_people_are_rejected_by_field(ingest: Client) -> None:
    body = _post(
        ingest,
        "/api/v1/people",
        [
            {"email": "nope"},
            {"first_name": "x"},
            {"email": "a@b.example", "country": "Germany"},
            {"email": "ok@b.example", "shoe_size": 9},
        ],
    ).json()
    fields = [{e["field"] for e in r["errors"]} for r in body["results"]]
    assert fields == [{"email"}, {"email"}, {"country"}, {"shoe_size"}]
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_identify_stitches_earlier_anonymous_touches(ingest: Client) -> None:
    factories.touch(anonymous_id="anon-9")
    factories.touch(anonymous_id="anon-9")
    factories.touch(anonymous_id="someone-else")
    response = _post(
        ingest,
        "/api/v1/identify",
        {"anonymous_id": "anon-9", "email": "bo@acme.example", "traits": {"first_name": "Bo"}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["created"] is True
    assert body["stitched_touches"] == 2
    bo = Person.objects.get(pk=body["person_id"])
    assert bo.first_name == "Bo"
    assert bo.touches.count() == 2
    assert Touch.objects.filter(person__isnull=True).count() == 1


@pytest.mark.django_db
def test_an_anonymous_id_stays_with_the_first_person_who_claimed_it(ingest: Client) -> None:
    _post(ingest, "/api/v1/identify", {"anonymous_id": "anon-1", "email": "first@acme.example"})
    second = _post(
        ingest, "/api/v1/identify", {"anonymous_id": "anon-1", "email": "second@acme.example"}
    ).json()
    assert second["stitched_touches"] == 0
    factories.touch(anonymous_id="anon-1")
    assert Person.objects.get(email="first@acme.example").anonymous_ids.count() == 1


@pytest.mark.django_db
def test_identify_refuses_a_bad_email(ingest: Client) -> None:
    response = _post(ingest, "/api/v1/identify", {"anonymous_id": "a", "email": "@@"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_identify_refuses_a_missing_field_in_the_common_error_shape(ingest: Client) -> None:
    response = _post(ingest, "/api/v1/identify", {"email": "a@b.example"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "anonymous_id" in body["message"]
