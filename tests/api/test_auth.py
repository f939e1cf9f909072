"""The API authenticates by hashed bearer tokens and respects their scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from revloop.users.models import ApiToken, TokenScope, User, hash_token


@pytest.mark.django_db
def test_health_needs_no_token(client: Client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_it_refuses_a_request_without_a_token(client: Client) -> None:
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_it_refuses_an_unknown_token(client: Client) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer rl_deadbeef_nope"})
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_valid_token_acts_as_its_user(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(marketer).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {"username": "mia", "roles": ["marketing"], "token_scope": "full"}


@pytest.mark.django_db
def test_only_the_hash_is_stored(rep: User) -> None:
    token, raw = ApiToken.issue(rep, "crm sync")
    assert raw not in {token.key_hash, token.prefix}
    assert token.key_hash == hash_token(raw)
    assert ApiToken.objects.filter(key_hash=raw).count() == 0


@pytest.mark.django_db
def test_a_revoked_token_is_refused(rep: User) -> None:
    token, raw = ApiToken.issue(rep, "old")
    token.revoked_at = timezone.now()
    token.save()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_a_deactivated_users_token_is_refused(
    rep: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(rep)
    rep.is_active = False
    rep.save()
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_an_ingest_token_cannot_read_reports(
    rep: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(rep, TokenScope.INGEST)
    assert client.get("/api/v1/stats").status_code == 401


@pytest.mark.django_db
def test_use_is_recorded(rep: User) -> None:
    token, raw = ApiToken.issue(rep, "sync")
    Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_openapi_document_describes_the_endpoints(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/health", "/api/v1/me", "/api/v1/stats"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]


def test_the_docs_page_loads_nothing_from_a_cdn(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    html = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert "https://" not in html


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_the_docs_are_for_users_with_a_role(
    client: Client,
    outsider: User,
    viewer: User,
    token_client: Callable[..., Client],
    path: str,
) -> None:
    """Anonymous visitors go to the login page, an account without a role is refused,
    a signed-in user or a bearer token of one with a role reads them."""
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    client.force_login(outsider)
    assert client.get(path).status_code == 403
    assert token_client(outsider).get(path).status_code == 403
    client.force_login(viewer)
    assert client.get(path).status_code == 200
    assert token_client(viewer).get(path).status_code == 200
