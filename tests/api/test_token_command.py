"""`revloop token` issues, lists and revokes tokens."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from revloop.users.models import ApiToken, User


@pytest.mark.django_db
def test_create_prints_a_working_token_once(marketer: User) -> None:
    out = StringIO()
    call_command("token", "create", "--user", "mia", "--name", "ci", "--json", stdout=out)
    raw = json.loads(out.getvalue())["token"]
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.status_code == 200
    listing = StringIO()
    call_command("token", "list", "--json", stdout=listing)
    assert raw not in listing.getvalue()


@pytest.mark.django_db
def test_create_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("token", "create", "--user", "ghost", "--name", "x")


@pytest.mark.django_db
def test_revoke_stops_the_token(marketer: User) -> None:
    token, raw = ApiToken.issue(marketer, "x")
    call_command("token", "revoke", token.prefix, stdout=StringIO())
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
    with pytest.raises(CommandError, match="no active token"):
        call_command("token", "revoke", token.prefix)
