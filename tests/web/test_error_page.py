"""Pages answer a domain error in one place: a styled page with its status, one log line."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.test import Client

from revloop.engine.vocabulary import Role
from revloop.users.models import User

pytestmark = pytest.mark.django_db


def test_a_refusal_says_what_is_missing_and_who_grants_it(
    client: Client, outsider: User, make_user: Callable[..., User], caplog: pytest.LogCaptureFixture
) -> None:
    make_user("ada", Role.ADMIN)
    client.force_login(outsider)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/pipeline/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<h1 id="error-title">Not allowed</h1>' in html
    assert "otto may not read the pipeline checks and the forecast" in html
    assert "<code>pipeline.read</code>" in html
    assert "an admin (Users in the admin site): ada" in html
    assert 'href="/"' in html
    # An expected refusal is one line in the log, without a traceback.
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [
        ("WARNING", "Forbidden: /pipeline/", None)
    ]


def test_an_account_without_a_role_sees_no_figures_on_the_home_page(
    client: Client, outsider: User, viewer: User
) -> None:
    client.force_login(outsider)
    response = client.get("/")
    assert response.status_code == 403
    assert "that needs the role" in response.content.decode()
    client.force_login(viewer)
    assert client.get("/").status_code == 200


def test_a_missing_record_is_a_404_page(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    response = client.get("/people/999999/")
    assert response.status_code == 404
    assert "no person with id 999999" in response.content.decode()


def test_a_bad_parameter_is_a_400_page_that_says_what_is_wrong(
    client: Client, marketer: User
) -> None:
    client.force_login(marketer)
    response = client.get("/marketing/", {"model": "astrology"})
    assert response.status_code == 400
    assert "That request could not be answered" in response.content.decode()
