"""The website key: public, so it is taken only from its sites and can only add touches."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.capture.actions import do_rotate_site_key, do_set_tracking_options
from revloop.capture.models import SiteKey
from revloop.capture.site_keys import normalize_origin
from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.people.models import Person
from revloop.users.models import ApiToken, TokenScope, User
from tests import factories

SITE = "https://www.acme.example"

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(marketer: User) -> SiteKey:
    return do_rotate_site_key(marketer, origins=[SITE])


def _send(body: dict[str, Any], origin: str | None = SITE, path: str = "/v1/batch") -> Any:
    headers = {"Origin": origin} if origin else {}
    # What sendBeacon sends: a text/plain body with the key inside, no Authorization header.
    return Client().post(path, data=json.dumps(body), content_type="text/plain", headers=headers)


def _page(n: int, **fields: Any) -> dict[str, Any]:
    return {"type": "page", "messageId": f"p-{n}", "anonymousId": "visitor-1", **fields}


def test_a_browser_on_a_listed_site_sends_with_the_key_in_the_body(key: SiteKey) -> None:
    response = _send({"writeKey": key.key, "batch": [_page(1)]})
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response["Vary"]
    assert Touch.objects.get().anonymous_id == "visitor-1"


def test_a_single_call_carries_the_key_in_its_body_too(key: SiteKey) -> None:
    response = _send({"writeKey": key.key, **_page(1)}, path="/v1/page")
    assert response.status_code == 200
    assert Touch.objects.get().type == "page_view"


@pytest.mark.parametrize("origin", ["https://evil.example", "http://www.acme.example", None])
def test_the_key_is_refused_from_any_other_origin(key: SiteKey, origin: str | None) -> None:
    response = _send({"writeKey": key.key, "batch": [_page(1)]}, origin=origin)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert "Settings → Tracking" in response.json()["message"]
    assert not Touch.objects.exists()


def test_a_rotated_key_stops_working(key: SiteKey, marketer: User) -> None:
    new = do_rotate_site_key(marketer)
    assert new.origins == [SITE]
    assert _send({"writeKey": key.key, "batch": [_page(1)]}).status_code == 401
    assert _send({"writeKey": new.key, "batch": [_page(2)]}).status_code == 200


def test_a_server_token_is_refused_from_a_web_page(rep: User) -> None:
    raw = ApiToken.issue(rep, "backend", TokenScope.INGEST)[1]
    response = _send({"writeKey": raw, "batch": [_page(1)]})
    assert response.status_code == 403
    assert "website key" in response.json()["message"]
    # The same token from a server (no Origin) is taken.
    assert _send({"writeKey": raw, "batch": [_page(1)]}, origin=None).status_code == 200


def test_the_website_key_cannot_merge_or_move_people(key: SiteKey) -> None:
    batch = [
        _page(1),
        {"type": "alias", "previousId": "a", "userId": "b", "messageId": "x-1"},
        {"type": "group", "groupId": "g", "anonymousId": "visitor-1", "messageId": "x-2"},
    ]
    response = _send({"writeKey": key.key, "batch": batch})
    assert response.status_code == 400
    errors = {e["index"]: e["reason"] for e in response.json()["errors"]}
    assert set(errors) == {1, 2}
    assert "cannot send alias" in errors[1]
    assert Touch.objects.count() == 1
    single = _send({"writeKey": key.key, "previousId": "a", "userId": "b"}, path="/v1/alias")
    assert single.status_code == 400


def test_an_identify_with_the_website_key_keeps_the_email_alone(key: SiteKey) -> None:
    factories.person(email="ada@initech.example", first_name="Ada")
    identify = {
        "type": "identify",
        "anonymousId": "visitor-1",
        "traits": {"email": "ada@initech.example", "firstName": "Mallory"},
        "context": {"traits": {"lastName": "Forged"}},
    }
    response = _send({"writeKey": key.key, "batch": [_page(1), identify]})
    assert response.status_code == 200
    person = Person.objects.get()
    assert (person.first_name, person.last_name) == ("Ada", "")
    assert Touch.objects.get().person == person


def test_a_preflight_is_answered_only_for_a_listed_site(key: SiteKey) -> None:
    preflight = Client().options(
        "/v1/batch",
        headers={"Origin": SITE, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE
    assert preflight["Access-Control-Allow-Methods"] == "POST"
    assert preflight["Access-Control-Allow-Headers"] == "Content-Type"
    other = Client().options("/v1/batch", headers={"Origin": "https://evil.example"})
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other


def test_other_methods_are_refused() -> None:
    assert Client().get("/v1/batch").status_code == 405


def test_the_tracker_script_is_served_small_to_any_site() -> None:
    response = Client().get("/t.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Encoding"] == "gzip"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert len(response.content) < 5 * 1024
    plain = Client().get("/t.js").content
    assert gzip.decompress(response.content) == plain
    assert len(gzip.compress(plain, 9)) < 5 * 1024
    assert b"sendBeacon" in plain


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.Acme.example/pricing?x=1", "https://www.acme.example"),
        ("www.acme.example", "https://www.acme.example"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("https://acme.example:443", "https://acme.example"),
    ],
)
def test_an_origin_is_read_from_what_a_person_types(typed: str, origin: str) -> None:
    assert normalize_origin(typed) == origin


@pytest.mark.parametrize("typed", ["ftp://acme.example", "https://", "http://acme.example:99999"])
def test_a_bad_origin_is_named(typed: str) -> None:
    with pytest.raises(InvalidInputError, match="origins"):
        normalize_origin(typed)


def test_marketing_and_admins_manage_the_key(marketer: User, make_user: Any) -> None:
    from revloop.engine.vocabulary import Role

    admin = make_user("ada", Role.ADMIN)
    first = do_rotate_site_key(marketer, origins=[SITE], require_consent=True)
    second = do_rotate_site_key(admin)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert (second.origins, second.require_consent, second.created_by) == ([SITE], True, admin)
    changed = do_set_tracking_options(
        marketer, origins=["acme.example", SITE], require_consent=False
    )
    assert changed.pk == second.pk
    assert changed.origins == ["https://acme.example", SITE]
    assert SiteKey.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("persona", ["rep", "manager", "viewer", "outsider"])
def test_other_roles_may_not_touch_the_key(
    persona: str, request: pytest.FixtureRequest, key: SiteKey
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(ForbiddenError, match="marketing or admin"):
        do_rotate_site_key(user)
    with pytest.raises(ForbiddenError):
        do_set_tracking_options(user, origins=["https://evil.example"], require_consent=False)
    key.refresh_from_db()
    assert (key.revoked_at, key.origins) == (None, [SITE])


def test_a_page_call_from_a_browser_is_put_in_its_channel(key: SiteKey) -> None:
    batch = [
        _page(1, context={"page": {"url": f"{SITE}/", "referrer": "https://www.google.com/"}}),
        _page(2, context={"page": {"url": f"{SITE}/pricing", "referrer": f"{SITE}/"}}),
        _page(3, context={"page": {"url": f"{SITE}/?utm_medium=email&utm_campaign=fall"}}),
        _page(4),  # a server's page call says nothing of where the visit came from
    ]
    assert _send({"writeKey": key.key, "batch": batch}).status_code == 200
    channels = dict(Touch.objects.values_list("event_id", "channel"))
    assert channels == {"p-1": "organic_search", "p-2": "", "p-3": "email", "p-4": ""}
