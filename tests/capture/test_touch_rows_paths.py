"""One touch, sent every way revloop takes touches in, is stored as the same row.

The events API, Segment's /v1/batch, a hosted form and a CSV import each carry the
same visit: a known email beside an anonymous id, a campaign, a page, a content asset
(where the path can name one). Each path must store the same row, tie the anonymous
id to the person and hand them the visitor's earlier anonymous touch.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from revloop.activity.models import Campaign, ContentAsset, Touch
from revloop.capture.actions import do_import_file
from revloop.capture.importer import report_text
from revloop.capture.models import FormEndpoint
from revloop.people.models import AnonymousIdentity, Person
from revloop.users.models import ApiToken, TokenScope, User
from tests import factories

pytestmark = pytest.mark.django_db

WHEN = "2026-03-02T09:30:00+01:00"
URL = "https://acme.example/pricing"
EMAIL = "Ada.Lovelace@Analytical.example"


def _api(client: Client, event: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/events", data=[event], content_type="application/json")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _send_api(ctx: dict[str, Any]) -> None:
    body = _api(
        ctx["ingest"],
        {
            "event_id": "visit-1",
            "timestamp": WHEN,
            "type": "form_submit",
            "email": EMAIL,
            "anonymous_id": "anon-1",
            "campaign": "Spring",
            "utm_campaign": "spring-26",
            "content_id": ctx["asset"].pk,
            "url": URL,
        },
    )
    assert body["counts"] == {"stored": 1}


def _send_csv(ctx: dict[str, Any]) -> None:
    path: Path = ctx["tmp_path"] / "touches.csv"
    path.write_text(
        "event_id,occurred_at,type,email,anonymous_id,campaign,utm_campaign,content,url\n"
        f"visit-1,{WHEN},form_submit,{EMAIL},anon-1,Spring,spring-26,Pricing guide,{URL}\n",
        encoding="utf-8",
    )
    summary = do_import_file("touches", path)
    assert (summary.created, summary.error_rows, summary.warning_rows) == (1, 0, 0)


def _send_segment(ctx: dict[str, Any]) -> None:
    basic = base64.b64encode(f"{ctx['write_key']}:".encode()).decode()
    message = {
        "type": "track",
        "event": "Form Submitted",
        "messageId": "visit-1",
        "anonymousId": "anon-1",
        "timestamp": WHEN,
        "context": {
            "traits": {"email": EMAIL},
            "campaign": {"name": "spring-26"},
            "page": {"url": URL},
        },
    }
    response = Client(headers={"Authorization": f"Basic {basic}"}).post(
        "/v1/batch", data={"batch": [message]}, content_type="application/json"
    )
    assert response.json() == {"success": True}


def _send_form(ctx: dict[str, Any]) -> None:
    form = FormEndpoint.objects.create(
        slug="pricing",
        name="Pricing",
        campaign=ctx["campaign"],
        content=ctx["asset"],
        mapping={"mail": "email", "visitor": "anonymous_id", "sid": "submission_id"},
    )
    response = ctx["ingest"].post(
        f"/api/v1/forms/{form.slug}",
        data={"mail": EMAIL, "visitor": "anon-1", "sid": "visit-1"},
        headers={"Referer": URL},
    )
    assert response.status_code == 200, response.content


#: path → (how to send, whether it can name content, whether it carries the time)
PATHS: dict[str, tuple[Callable[[dict[str, Any]], None], bool, bool]] = {
    "events API": (_send_api, True, True),
    "CSV import": (_send_csv, True, True),
    "Segment batch": (_send_segment, False, True),
    "hosted form": (_send_form, True, False),
}


@pytest.fixture
def ctx(rep: User, token_client: Callable[..., Client], tmp_path: Path) -> dict[str, Any]:
    campaign = Campaign.objects.create(name="Spring", channel="email", utm_campaign="spring-26")
    asset = ContentAsset.objects.create(title="Pricing guide", kind="guide", url=URL)
    return {
        "ingest": token_client(rep, TokenScope.INGEST),
        "write_key": ApiToken.issue(rep, "site", TokenScope.INGEST)[1],
        "campaign": campaign,
        "asset": asset,
        "tmp_path": tmp_path,
    }


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_stores_the_same_row_and_links_the_visitor(
    path: str, ctx: dict[str, Any]
) -> None:
    send, names_content, carries_time = PATHS[path]
    earlier = factories.touch(event_id="before", anonymous_id="anon-1", person=None)

    send(ctx)

    touch = Touch.objects.get(event_id="visit-1")
    person = Person.objects.get(email_key="ada.lovelace@analytical.example")
    assert {
        "person": touch.person_id,
        "anonymous_id": touch.anonymous_id,
        "type": touch.type,
        "channel": touch.channel,
        "campaign": touch.campaign_id,
        "utm_campaign": touch.utm_campaign,
        "content": touch.content_id,
        "url": touch.url,
    } == {
        "person": person.pk,
        "anonymous_id": "anon-1",
        "type": "form_submit",
        "channel": "",
        "campaign": ctx["campaign"].pk,
        "utm_campaign": "spring-26",
        "content": ctx["asset"].pk if names_content else None,
        "url": URL,
    }
    if carries_time:
        assert touch.occurred_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert AnonymousIdentity.objects.get(anonymous_id="anon-1").person_id == person.pk
    earlier.refresh_from_db()
    assert earlier.person_id == person.pk


def test_an_unknown_content_id_is_stored_unlinked_with_a_warning_in_the_answer(
    ctx: dict[str, Any],
) -> None:
    missing = ctx["asset"].pk + 1000
    body = _api(
        ctx["ingest"],
        {
            "event_id": "visit-2",
            "timestamp": WHEN,
            "type": "page_view",
            "email": EMAIL,
            "content_id": missing,
        },
    )
    assert body["counts"] == {"stored": 1}
    assert body["warnings"] == 1
    [result] = body["results"]
    assert result["status"] == "stored"
    assert result["warnings"][0]["field"] == "content_id"
    assert "no content asset" in result["warnings"][0]["message"]
    touch = Touch.objects.get(event_id="visit-2")
    assert touch.content_id is None
    assert touch.properties == {"content_id": missing}


def test_unknown_content_is_stored_unlinked_with_a_warning_in_the_import_report(
    ctx: dict[str, Any],
) -> None:
    path: Path = ctx["tmp_path"] / "touches.csv"
    path.write_text(
        "occurred_at,type,email,content\n"
        f"{WHEN},content_download,{EMAIL},Pricing guide\n"
        f"{WHEN},content_download,{EMAIL},The lost whitepaper\n",
        encoding="utf-8",
    )
    summary = do_import_file("touches", path)

    assert (summary.created, summary.error_rows, summary.warning_rows) == (2, 0, 1)
    [warning] = summary.warnings
    assert (warning["row"], warning["field"], warning["value"]) == (
        3,
        "content",
        "The lost whitepaper",
    )
    assert "no content asset" in warning["reason"]
    assert "Warnings (these rows were stored):" in report_text(summary)
    assert json.loads(json.dumps(summary.as_dict()))["warning_rows"] == 1
    lost = Touch.objects.get(content__isnull=True)
    assert lost.properties == {"content": "The lost whitepaper"}
    assert Touch.objects.filter(content=ctx["asset"]).count() == 1
