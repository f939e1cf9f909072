"""The person page and the brief carry the inbox's actions, and say why the lead is where it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from revloop.engine.vocabulary import Role
from revloop.feedback.models import SalesActivity
from revloop.people.models import Person
from revloop.routing.models import Assignment, SlaClock
from revloop.users.models import User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(rep: User, manager: User) -> Person:
    rep.manager = manager
    rep.save(update_fields=["manager"])
    person = factories.person(
        email="vera@acme.example", first_name="Vera", last_name="Lind", owner=rep, stage="mql"
    )
    now = timezone.now()
    assignment = Assignment.objects.create(
        person=person,
        rep=rep,
        at=now,
        rule_id="emea-round-robin",
        team="emea",
        skipped=[{"username": "sam", "reason": "absent"}],
        explanation="Rule 'emea-round-robin' sends the lead to team emea, where rob is next.",
    )
    SlaClock.objects.create(
        person=person,
        assignment=assignment,
        rep=rep,
        kind="first_touch",
        started_at=now,
        due_at=now + timedelta(hours=4),
    )
    return person


@pytest.mark.parametrize("page", ["/people/{pk}/", "/people/{pk}/brief/"])
def test_the_page_says_why_this_rep_and_why_this_score(
    client: Client, viewer: User, lead: Person, page: str
) -> None:
    client.force_login(viewer)
    html = client.get(page.format(pk=lead.pk)).content.decode()
    assert 'id="why-routed"' in html
    assert "sends the lead to team emea, where rob is next." in html
    assert "sam (marked away that day)" in html
    assert 'id="why-score"' in html
    assert "Fit comes from Not matched to any company (-10)." in html
    # A viewer reads, and is offered no action.
    assert 'data-section="actions"' not in html


@pytest.mark.parametrize("page", ["/people/{pk}/", "/people/{pk}/brief/"])
def test_the_owner_accepts_and_logs_a_call_from_the_page(
    client: Client, rep: User, lead: Person, page: str
) -> None:
    url = page.format(pk=lead.pk)
    client.force_login(rep)
    html = client.get(url).content.decode()
    assert 'data-section="actions"' in html
    assert f'action="/inbox/{lead.pk}/accept/"' in html
    assert f'action="/inbox/{lead.pk}/reassign/"' not in html  # reps do not re-assign
    response = client.post(f"/inbox/{lead.pk}/activity/", {"kind": "call", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert SalesActivity.objects.filter(person=lead, user=rep, kind="call").count() == 1
    response = client.post(f"/inbox/{lead.pk}/accept/", {"note": "fits", "next": url})
    assert response["Location"] == url
    assert Person.objects.get(pk=lead.pk).stage == "sal"


def test_a_foreign_next_is_ignored(client: Client, rep: User, lead: Person) -> None:
    client.force_login(rep)
    response = client.post(
        f"/inbox/{lead.pk}/activity/", {"kind": "call", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/inbox/"


def test_a_manager_reassigns_from_the_page_and_the_team_view(
    client: Client, manager: User, make_user: Callable[..., User], lead: Person
) -> None:
    tess = make_user("tess", Role.SALES_REP, manager=manager)
    client.force_login(manager)
    html = client.get(f"/people/{lead.pk}/").content.decode()
    assert f'action="/inbox/{lead.pk}/reassign/"' in html
    team = client.get("/inbox/").content.decode()
    assert f'action="/inbox/{lead.pk}/reassign/"' in team
    response = client.post(f"/inbox/{lead.pk}/reassign/", {"to": "tess"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Re-assigned to tess." in response.content.decode()
    assert Person.objects.get(pk=lead.pk).owner == tess
    assert Assignment.objects.get(person=lead, ended_at__isnull=True).by_user == manager
    page = client.get(f"/people/{lead.pk}/").content.decode()
    assert "mona re-assigned" in page or "re-assigned by mona" in page


def test_a_rep_may_not_reassign_through_the_action(
    client: Client, rep: User, make_user: Callable[..., User], lead: Person
) -> None:
    make_user("tess", Role.SALES_REP)
    client.force_login(rep)
    response = client.post(f"/inbox/{lead.pk}/reassign/", {"to": "tess"})
    assert response.status_code == 403
    assert Person.objects.get(pk=lead.pk).owner == rep


def test_another_rep_is_offered_no_action_and_refused(
    client: Client, make_user: Callable[..., User], lead: Person
) -> None:
    sam = make_user("sam", Role.SALES_REP)
    client.force_login(sam)
    assert 'data-section="actions"' not in client.get(f"/people/{lead.pk}/").content.decode()
    assert client.post(f"/inbox/{lead.pk}/accept/", {}).status_code == 403
    assert Person.objects.get(pk=lead.pk).stage == "mql"
