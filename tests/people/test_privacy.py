"""A person's data on request: exported whole by an admin, erased with the reports intact."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from revloop.activity.models import Touch
from revloop.analytics.models import ReportCache
from revloop.engine.vocabulary import Role
from revloop.feedback.actions import do_add_note
from revloop.people.models import AnonymousIdentity, Person
from revloop.routing import notify
from revloop.users.models import AuditEntry, User
from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.analytics.seeded import seed_company

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ClientFor = Callable[..., Client]


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("ada", Role.ADMIN)


@pytest.fixture
def grace(rep: User) -> Person:
    """A lead with touches, a browser id, a stage history and a note."""
    person = factories.person(
        email="grace@hopper.example",
        first_name="Grace",
        phone="+1 555 0100",
        owner=rep,
        stage="sal",
    )
    factories.touch(
        person=person,
        event_id="evt-grace-1",
        anonymous_id="anon-grace",
        url="https://example.com/pricing?email=grace@hopper.example#top",
        utm_campaign="launch",
        properties={"ip": "203.0.113.9"},
    )
    AnonymousIdentity.objects.create(anonymous_id="anon-grace", person=person, linked_at=NOW)
    factories.transition(person, to_stage="mql")
    do_add_note(rep, person, "asked for a call on Tuesday")
    return person


def test_an_admin_exports_everything_held_on_a_person(
    admin: User, grace: Person, token_client: ClientFor
) -> None:
    response = token_client(admin).get("/api/v1/people/grace@hopper.example/export")
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["email"] == "grace@hopper.example"
    assert body["person"]["phone"] == "+1 555 0100"
    assert [t["event_id"] for t in body["activity"]["touches"]] == ["evt-grace-1"]
    assert body["anonymous_ids"][0]["anonymous_id"] == "anon-grace"
    assert [t["to_stage"] for t in body["stage_history"]] == ["mql"]
    assert body["sales_feedback"]["notes"][0]["text"] == "asked for a call on Tuesday"
    assert "assignments" in body
    assert "opportunities" in body
    entry = AuditEntry.objects.get(action="person.exported")
    assert (entry.actor_name, entry.object_id) == ("ada", str(grace.pk))
    assert "grace" not in json.dumps(entry.detail)


@pytest.mark.parametrize("persona", ["marketer", "manager", "rep", "viewer", "outsider"])
def test_no_one_but_an_admin_exports_or_erases(
    persona: str, grace: Person, token_client: ClientFor, request: pytest.FixtureRequest
) -> None:
    client = token_client(request.getfixturevalue(persona))
    for response in (
        client.get(f"/api/v1/people/{grace.pk}/export"),
        client.post(f"/api/v1/people/{grace.pk}/erase"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    grace.refresh_from_db()
    assert grace.email == "grace@hopper.example"
    assert not AuditEntry.objects.filter(action__startswith="person.").exists()


def test_erasure_removes_identity_and_keeps_the_anonymous_history(
    admin: User, grace: Person, token_client: ClientFor
) -> None:
    response = token_client(admin).post(f"/api/v1/people/{grace.pk}/erase")
    assert response.status_code == 200, response.content
    assert response.json()["removed"]["touches"] == 1
    grace.refresh_from_db()
    assert (grace.email, grace.first_name, grace.phone) == ("", "", "")
    assert grace.stage == "sal"  # the funnel still counts this lead where it was
    touch = Touch.objects.get(person=grace)
    assert (touch.anonymous_id, touch.properties) == ("", {})
    assert touch.url == "https://example.com/pricing"
    assert "grace" not in touch.event_id
    assert touch.utm_campaign == "launch"
    assert grace.transitions.count() == 1
    assert not AnonymousIdentity.objects.filter(person=grace).exists()
    entry = AuditEntry.objects.get(action="person.erased")
    assert entry.object_id == str(grace.pk)
    assert "grace" not in json.dumps(entry.detail).lower()
    # Erased is gone for good: no export, no second erasure, and the address is free.
    assert token_client(admin).get(f"/api/v1/people/{grace.pk}/export").status_code == 404
    factories.person(email="grace@hopper.example")


def test_the_console_exports_and_erases_by_email(grace: Person) -> None:
    out = StringIO()
    call_command("people", "export", "grace@hopper.example", stdout=out)
    assert json.loads(out.getvalue())["person"]["first_name"] == "Grace"
    out = StringIO()
    call_command("people", "erase", "grace@hopper.example", "--json", stdout=out)
    assert json.loads(out.getvalue())["person_id"] == grace.pk
    with pytest.raises(CommandError, match="no person with email"):
        call_command("people", "erase", "grace@hopper.example")


def test_the_admin_offers_erasure_instead_of_a_delete_that_would_fail(
    admin: User, grace: Person
) -> None:
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/people/person/").content.decode()
    assert "erase_selected" in page
    assert "delete_selected" not in page
    response = client.post(
        "/admin/people/person/",
        {"action": "erase_selected", "_selected_action": [grace.pk]},
    )
    assert response.status_code == 302
    grace.refresh_from_db()
    assert grace.email == ""


def _reports(client: Client) -> dict[str, Any]:
    ReportCache.objects.all().delete()  # computed afresh, not served from before
    funnel = client.get("/api/v1/analytics/funnel").json()
    attribution = client.get(
        "/api/v1/analytics/attribution", {"model": "linear", "outcome": "pipeline"}
    ).json()
    attribution.pop("cache")  # when it was computed, not what
    return {"funnel": funnel["steps"], "attribution": attribution}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def test_reports_are_the_same_after_an_erasure(
    admin: User, marketer: User, token_client: ClientFor
) -> None:
    seed_company(leads=300, seed=5, now=NOW)
    client = token_client(marketer)
    before = _reports(client)
    # The most connected people: the ones whose erasure would move the totals most.
    busiest = (
        Person.objects.exclude(touches=None)
        .filter(stage__in=["opportunity", "customer"])
        .order_by("-pk")
        .values_list("pk", flat=True)[:5]
    )
    assert len(busiest) == 5
    for pk in busiest:
        call_command("people", "erase", str(pk), stdout=StringIO())
    after = _reports(client)
    # Equal to the last few bits: PostgreSQL may add the same credits up in another order.
    assert _rounded(after) == _rounded(before)


def test_no_webhook_tells_of_a_person_who_withdrew_consent(rep: User) -> None:
    WebhookEndpoint.objects.create(url="https://hooks.example.com/x", events=["lead.assigned"])
    withdrawn = factories.person(consent="denied")
    willing = factories.person(consent="granted")
    notify.lead_assigned(withdrawn.pk, rep.username, "emea", NOW)
    assert not WebhookDelivery.objects.exists()
    notify.lead_assigned(willing.pk, rep.username, "emea", NOW)
    assert WebhookDelivery.objects.count() == 1
