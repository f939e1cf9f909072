"""Settings → Tracking: the snippet with this revloop's host and key, the key's rotation,
the consent option and the event-name mapping; only marketing and admins reach it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from revloop.capture.actions import do_rotate_site_key
from revloop.capture.models import SiteKey
from revloop.capture.segment import EventRule, event_mapping
from revloop.engine.vocabulary import Channel, Role, TouchType
from revloop.users.models import User

pytestmark = pytest.mark.django_db

SITE = "https://www.acme.example"


def _save(client: Client, origins: str, consent: bool = False) -> object:
    data = {"action": "save", "origins": origins, **({"require_consent": "on"} if consent else {})}
    return client.post("/settings/tracking/", data)


def test_a_marketer_lists_the_site_and_gets_the_snippet(client: Client, marketer: User) -> None:
    client.force_login(marketer)
    first = client.get("/settings/tracking/")
    assert first.status_code == 200
    assert "No website key yet" in first.text
    assert _save(client, f"{SITE}/pricing\nacme.example").status_code == 302

    key = SiteKey.objects.get()
    assert key.origins == [SITE, "https://acme.example"]
    page = client.get("/settings/tracking/").text
    snippet = re.search(r"<pre data-snippet [^>]*>(.*?)</pre>", page, re.S)
    assert snippet is not None
    text = snippet.group(1)
    assert f"revloop(&quot;init&quot;, &quot;{key.key}&quot;" in text
    assert "{host: &quot;http://testserver&quot;}" in text
    assert "&lt;script async src=&quot;http://testserver/t.js&quot;&gt;" in text
    assert f"data-key=&quot;{key.key}&quot;" in page


def test_requiring_consent_shows_in_the_snippet(client: Client, marketer: User) -> None:
    client.force_login(marketer)
    _save(client, SITE, consent=True)
    assert SiteKey.objects.get().require_consent
    page = client.get("/settings/tracking/").text
    assert "requireConsent: true" in page
    assert "data-require-consent" in page


def test_rotating_issues_a_new_key_and_refuses_the_old(
    client: Client, make_user: Callable[..., User]
) -> None:
    admin = make_user("ada", Role.ADMIN)
    old = do_rotate_site_key(admin, origins=[SITE])
    client.force_login(admin)
    response = client.post("/settings/tracking/", {"action": "rotate"}, follow=True)
    assert "A new key is live" in response.text
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = SiteKey.objects.get(revoked_at__isnull=True)
    assert new.origins == [SITE]
    assert new.key in response.text
    assert old.key not in response.text


def test_a_bad_address_is_named_and_nothing_changes(client: Client, marketer: User) -> None:
    client.force_login(marketer)
    key = do_rotate_site_key(marketer, origins=[SITE])
    response = _save(client, "ftp://files.acme.example")
    assert response.status_code == 400
    assert "is not a web address" in response.text
    key.refresh_from_db()
    assert key.origins == [SITE]


@pytest.mark.parametrize("persona", ["rep", "manager", "viewer", "outsider"])
def test_other_roles_are_refused(
    client: Client, request: pytest.FixtureRequest, marketer: User, persona: str
) -> None:
    key = do_rotate_site_key(marketer, origins=[SITE])
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/settings/tracking/").status_code == 403
    assert client.post("/settings/tracking/", {"action": "rotate"}).status_code == 403
    assert _save(client, "https://evil.example").status_code == 403
    assert list(SiteKey.objects.values_list("key", "origins")) == [(key.key, [SITE])]


def test_the_navigation_leads_marketing_to_it(client: Client, marketer: User, rep: User) -> None:
    client.force_login(marketer)
    assert 'href="/settings/tracking/"' in client.get("/").text
    client.force_login(rep)
    assert 'href="/settings/tracking/"' not in client.get("/").text


def test_the_event_mapping_is_shown_and_edited_here(
    client: Client, marketer: User, settings: Settings, tmp_path: Path
) -> None:
    settings.REVLOOP_HOME = tmp_path
    client.force_login(marketer)
    page = client.get("/settings/tracking/").text
    assert "<td>demo requested</td><td>form_submit</td>" in page
    assert f"saving writes your copy to <code>{tmp_path / 'segment_events.yaml'}</code>" in page

    text = "events:\n  Trial Started: {type: meeting, channel: direct}\n"
    response = client.post("/settings/tracking/", {"action": "mapping", "mapping": text})
    assert response.status_code == 302
    assert (tmp_path / "segment_events.yaml").read_text() == text
    page = client.get("/settings/tracking/").text
    assert "<td>trial started</td><td>meeting</td><td>direct</td>" in page
    assert "demo requested" not in page
    assert "The mapping in effect" in page
    # The next Segment call is mapped by it.
    assert event_mapping().rule_for("TRIAL STARTED") == EventRule(TouchType.MEETING, Channel.DIRECT)


def test_a_wrong_mapping_is_named_and_the_one_in_effect_stays(
    client: Client, marketer: User, settings: Settings, tmp_path: Path
) -> None:
    settings.REVLOOP_HOME = tmp_path
    client.force_login(marketer)
    wrong = "events:\n  Trial Started: {type: trial}\n"
    response = client.post("/settings/tracking/", {"action": "mapping", "mapping": wrong})
    assert response.status_code == 400
    assert "event &#x27;Trial Started&#x27; needs a `type`" in response.text
    assert "{type: trial}" in response.text  # kept in the box to be corrected
    assert not (tmp_path / "segment_events.yaml").exists()
    broken = client.post("/settings/tracking/", {"action": "mapping", "mapping": "events: ["})
    assert "not valid YAML" in broken.text
    assert event_mapping().rule_for("Demo Requested").type == TouchType.FORM_SUBMIT


def test_a_rep_cannot_change_the_mapping(
    client: Client, rep: User, settings: Settings, tmp_path: Path
) -> None:
    settings.REVLOOP_HOME = tmp_path
    client.force_login(rep)
    text = "events:\n  Demo Requested: {type: chat}\n"
    response = client.post("/settings/tracking/", {"action": "mapping", "mapping": text})
    assert response.status_code == 403
    assert not (tmp_path / "segment_events.yaml").exists()
