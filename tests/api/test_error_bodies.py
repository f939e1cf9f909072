"""Every refusal of the API has one body: ``{"code": ..., "message": ...}``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from revloop.users.models import TokenScope, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer rl_deadbeef_nope"}, {"Authorization": "Basic Zm9vOmJhcg=="}],
)
def test_a_missing_or_unknown_token_is_a_401_in_the_api_error_form(
    headers: dict[str, str],
) -> None:
    response = Client(headers=headers).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "give a valid token: Authorization: Bearer <token>",
    }
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_ingest_token_on_a_full_endpoint_is_a_401_in_the_same_form(
    rep: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(rep, TokenScope.INGEST).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
