"""A person is named by an ASCII id or an email; anything else is a 404, never a crash."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from revloop.core.bounds import parse_id
from revloop.users.models import User
from tests import factories

pytestmark = pytest.mark.django_db

# Arabic-Indic one and three, superscript two, NKo one, fullwidth one: all isdigit().
NOT_IDS = [
    "\u0661",
    "\u0663",
    "\u00b2",
    "\u07c1",
    "\uff11",
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    "1.0",
]


@pytest.mark.parametrize("reference", NOT_IDS)
def test_a_reference_that_is_no_id_and_no_email_is_a_404(
    reference: str, manager: User, token_client: Callable[..., Client]
) -> None:
    factories.person(email="ann@northwind.example", stage="mql")
    response = token_client(manager).get(f"/api/v1/people/{reference}/score")
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/people/99999999999999999999/", "/people/99999999999999999999/brief/"]
)
def test_a_page_for_an_id_beyond_any_row_is_a_404(path: str, manager: User) -> None:
    client = Client()
    client.force_login(manager)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), (" 42 ", 42), ("9223372036854775807", 2**63 - 1)]
    + [(text, None) for text in [*NOT_IDS, "", "0", "ann@x.example"]],
)
def test_only_ascii_digits_in_the_id_range_are_an_id(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected
