"""A person's page: who they are, why they score what they score, their stage history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from revloop.lifecycle.actions import do_move_person
from revloop.scoring.actions import do_rescore
from revloop.users.models import User
from tests import factories
from tests.contract_helpers import demo_request, ideal_person

pytestmark = pytest.mark.django_db


def test_it_shows_identity_explanation_and_history(client: Client, rep: User) -> None:
    person = ideal_person(email="vera@acme.example", first_name="Vera", last_name="Lind", owner=rep)
    demo_request(person, timezone.now() - timedelta(hours=3))
    factories.transition(person, from_stage="", to_stage="lead", by_rule="created")
    do_rescore(full=True)  # the rule makes her an MQL
    do_move_person(person, "sal", by=rep, note="good fit")
    client.force_login(rep)
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Vera Lind</h1>" in html
    assert "vera@acme.example" in html
    assert 'data-figure="grade">A<' in html
    assert 'data-rule="demo_request"' in html
    assert "1 touch, 50.0 before decay" in html
    assert 'data-stage-entered="mql"' in html
    assert "good fit" in html
    assert "rule mql" in html
    assert ">v1<" in html
    assert "You may move this person to: SQL" in html


def test_it_needs_a_login_a_role_and_a_real_person(
    client: Client, outsider: User, viewer: User
) -> None:
    person = factories.person()
    assert client.get(f"/people/{person.pk}/").status_code == 302
    client.force_login(outsider)
    assert client.get(f"/people/{person.pk}/").status_code == 403
    client.force_login(viewer)
    assert client.get(f"/people/{person.pk}/").status_code == 200
    assert client.get("/people/999999/").status_code == 404
