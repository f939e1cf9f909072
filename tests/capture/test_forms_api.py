"""POST /api/v1/forms/<slug>: a website form becomes a touch and a person."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from revloop.activity.models import Campaign, Touch
from revloop.capture.models import FormEndpoint, validate_mapping
from revloop.people.models import Person
from revloop.users.models import TokenScope, User


@pytest.fixture
def demo_form(db: None) -> FormEndpoint:
    campaign = Campaign.objects.create(
        name="Demo requests", channel="direct", utm_campaign="demo-req"
    )
    return FormEndpoint.objects.create(
        slug="demo-request",
        name="Demo request",
        channel="direct",
        campaign=campaign,
        mapping={
            "your-email": "email",
            "fname": "first_name",
            "org": "company",
            "sid": "submission_id",
        },
    )


@pytest.fixture
def ingest(rep: User, token_client: Callable[..., Client]) -> Client:
    return token_client(rep, TokenScope.INGEST)


@pytest.mark.django_db
def test_a_form_encoded_submission_records_a_touch_and_a_person(
    ingest: Client, demo_form: FormEndpoint
) -> None:
    response = ingest.post(
        "/api/v1/forms/demo-request",
        {
            "your-email": "Zoe@Initech.example",
            "fname": "Zoe",
            "org": "Initech",
            "message": "call me",
        },
        headers={"Referer": "https://revloop.example/demo"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person_created"] is True
    zoe = Person.objects.get(pk=body["person_id"])
    assert (zoe.email, zoe.first_name) == ("zoe@initech.example", "Zoe")
    touch = Touch.objects.get()
    assert touch.type == "form_submit"
    assert touch.campaign == demo_form.campaign
    assert touch.url == "https://revloop.example/demo"
    assert touch.properties == {"form": "demo-request", "fields": {"message": "call me"}}


@pytest.mark.django_db
def test_a_json_submission_with_an_id_is_idempotent(
    ingest: Client, demo_form: FormEndpoint
) -> None:
    body = {"your-email": "zoe@initech.example", "sid": "sub-1"}
    first = ingest.post(
        "/api/v1/forms/demo-request", json.dumps(body), content_type="application/json"
    ).json()
    second = ingest.post(
        "/api/v1/forms/demo-request", json.dumps(body), content_type="application/json"
    ).json()
    assert (first["status"], second["status"]) == ("stored", "duplicate")
    assert Touch.objects.count() == 1


@pytest.mark.django_db
def test_a_submission_without_a_usable_email_is_refused(
    ingest: Client, demo_form: FormEndpoint
) -> None:
    response = ingest.post(
        "/api/v1/forms/demo-request", {"fname": "Zoe", "your-email": "zoe at initech"}
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("your-email:")
    assert Touch.objects.count() == Person.objects.count() == 0


@pytest.mark.django_db
def test_a_huge_field_is_refused(ingest: Client, demo_form: FormEndpoint) -> None:
    response = ingest.post(
        "/api/v1/forms/demo-request", {"your-email": "a@b.example", "notes": "x" * 20_000}
    )
    assert response.status_code == 400
    assert Touch.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_or_inactive_form_is_a_404(ingest: Client, demo_form: FormEndpoint) -> None:
    assert ingest.post("/api/v1/forms/nope", {"your-email": "a@b.example"}).status_code == 404
    demo_form.is_active = False
    demo_form.save()
    assert (
        ingest.post("/api/v1/forms/demo-request", {"your-email": "a@b.example"}).status_code == 404
    )


@pytest.mark.django_db
def test_it_needs_a_token(client: Client, demo_form: FormEndpoint) -> None:
    assert (
        client.post("/api/v1/forms/demo-request", {"your-email": "a@b.example"}).status_code == 401
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ([], "must be an object"),
        ({"a": "shoe_size", "b": "email"}, "unknown targets"),
        ({"a": "first_name"}, "must map to email"),
    ],
)
def test_a_mapping_is_validated(mapping: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_mapping(mapping)
