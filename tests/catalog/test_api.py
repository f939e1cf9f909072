"""POST /api/v1/catalog/check: copy in, findings out, against the active catalog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from revloop.catalog.actions import do_save_catalog
from revloop.users.models import TokenScope, User

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).resolve().parents[1] / "data" / "copy_checks" / "catalog.yaml").read_text()
URL = "/api/v1/catalog/check"


def post(client: Client, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(URL, body, content_type="application/json")
    return response.status_code, response.json()


def test_findings_point_into_the_text_read(
    rep: User, marketer: User, token_client: Callable[..., Client]
) -> None:
    do_save_catalog(SAMPLE, by=marketer)
    html = "<h1>Offer</h1><p>Is shipping free? <b>Yes</b>, on every order.</p>"
    status, body = post(token_client(rep), {"text": html, "format": "html"})
    assert status == 200
    assert (body["version"], body["clean"]) == (1, False)
    (finding,) = body["findings"]  # type: ignore[misc]
    assert finding["fact"] == "free_shipping"
    assert body["text"][finding["start"] : finding["end"]] == (  # type: ignore[index]
        "Is shipping free? Yes, on every order."
    )
    assert finding["truth"] == "Shipping is charged at cost on every hardware order."


def test_clean_copy_is_clean(
    viewer: User, marketer: User, token_client: Callable[..., Client]
) -> None:
    do_save_catalog(SAMPLE, by=marketer)
    status, body = post(token_client(viewer), {"text": "Shipping is charged at cost."})
    assert (status, body["clean"], body["findings"]) == (200, True, [])


def test_no_catalog_yet_is_a_404(rep: User, token_client: Callable[..., Client]) -> None:
    status, body = post(token_client(rep), {"text": "Free shipping!"})
    assert (status, body["code"]) == (404, "not_found")


def test_bad_format_and_empty_text_are_refused(
    rep: User, marketer: User, token_client: Callable[..., Client]
) -> None:
    do_save_catalog(SAMPLE, by=marketer)
    client = token_client(rep)
    assert post(client, {"text": "x", "format": "pdf"})[0] == 400
    assert post(client, {"text": ""})[0] == 422


def test_it_needs_a_full_token(rep: User, token_client: Callable[..., Client]) -> None:
    assert Client().post(URL, {"text": "x"}, content_type="application/json").status_code == 401
    ingest = token_client(rep, TokenScope.INGEST)
    assert post(ingest, {"text": "x"})[0] == 401


def test_the_active_catalog_can_be_read(
    rep: User, marketer: User, token_client: Callable[..., Client]
) -> None:
    do_save_catalog(SAMPLE, by=marketer)
    response = token_client(rep).get("/api/v1/catalog")
    assert response.status_code == 200
    assert response.json()["created_by"] == "mia"
    assert response.json()["text"] == SAMPLE


def test_a_marketer_saves_a_version_and_a_rep_may_not(
    rep: User, marketer: User, token_client: Callable[..., Client]
) -> None:
    body = {"text": SAMPLE, "note": "launch"}
    refused = token_client(rep).post("/api/v1/catalog", body, content_type="application/json")
    assert refused.status_code == 403
    saved = token_client(marketer).post("/api/v1/catalog", body, content_type="application/json")
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["new"]) == (1, True)
    broken = {"text": SAMPLE.replace("kind: hardware", "kind: gadget")}
    response = token_client(marketer).post(
        "/api/v1/catalog", broken, content_type="application/json"
    )
    assert response.status_code == 400
    assert "products[1].kind: unknown value 'gadget'" in response.json()["message"]
