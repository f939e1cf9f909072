"""Segment's Node.js library (@segment/analytics-node from npm), pointed at a running revloop.

tests/node holds its package.json and lock; `npm ci` there installs it (.ci/run does).
Without it the test skips, except under CI, where a missing install is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from revloop.activity.models import Touch
from revloop.people.models import Account, Person
from revloop.users.models import ApiToken, TokenScope, User

NODE_DIR = Path(__file__).resolve().parents[1] / "node"

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    installed = (NODE_DIR / "node_modules" / "@segment" / "analytics-node").is_dir()
    if found and installed:
        return found
    reason = "node is not installed" if not found else f"run `npm ci` in {NODE_DIR}"
    if os.environ.get("CI"):
        pytest.fail(f"@segment/analytics-node cannot run: {reason}")
    pytest.skip(reason)


def _send(node: str, host: str, key: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - node found on PATH, running our own script
        [node, "send.mjs"],
        cwd=NODE_DIR,
        env={**os.environ, "REVLOOP_HOST": host, "REVLOOP_WRITE_KEY": key},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_journey_sent_by_analytics_node_is_stored(
    node: str, plain_live_server: Any, rep: User
) -> None:
    key = ApiToken.issue(rep, "node backend", TokenScope.INGEST)[1]
    sent = _send(node, plain_live_server.url, key)
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout.splitlines()[-1]) == {
        "requests": 1,
        "url": f"{plain_live_server.url}/v1/batch",
    }

    # The alias merged the old laptop's person into the one identified as crm-42.
    person = Person.objects.get()
    assert (person.email, person.first_name, person.title) == (
        "grace@hopper.example",
        "Grace",
        "Rear Admiral",
    )
    touches = {t.event_id: t for t in Touch.objects.all()}
    assert set(touches) == {
        *[t.event_id for t in Touch.objects.filter(type="page_view")],
        "journey-download-1",
        "journey-webinar-1",
        "journey-demo-1",
    }
    assert all(t.person_id == person.pk for t in touches.values())
    page = Touch.objects.get(type="page_view")
    assert (page.utm_campaign, page.utm_source, page.utm_medium) == (
        "autumn-webinar",
        "newsletter",
        "email",
    )
    assert page.properties["referrer"] == "https://news.example/"
    assert (touches["journey-webinar-1"].type, touches["journey-demo-1"].type) == (
        "webinar",
        "form_submit",
    )
    assert person.account == Account.objects.get(properties__segment_group_id="org-9")
    assert person.account.domain == "hopper.example"

    # Sent again, the same message ids are stored once (the page view's id is new each run).
    again = _send(node, plain_live_server.url, key)
    assert again.returncode == 0, again.stderr
    assert Touch.objects.filter(event_id__startswith="journey-").count() == 3
    assert Touch.objects.filter(type="page_view").count() == 2


def test_a_wrong_key_is_reported_to_analytics_node(node: str, plain_live_server: Any) -> None:
    sent = _send(node, plain_live_server.url, "rl_wrong")
    assert sent.returncode == 1
    assert "401" in sent.stderr or "unknown or revoked write key" in sent.stderr
    assert not Touch.objects.exists()
