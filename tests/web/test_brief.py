"""The handoff brief, page and API, on a small hand-built company."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from revloop.activity.models import Campaign, ContentAsset
from revloop.feedback.brief import handoff_brief, similar_won_deals
from revloop.feedback.models import Note, SalesActivity
from revloop.people.models import Person
from revloop.users.models import User
from tests import factories

pytestmark = pytest.mark.django_db

PROMISE = "Every Brightline sensor kit comes with free shipping."


@pytest.fixture
def lena(rep: User) -> Person:
    """Lena saw a misleading e-book through a promo, asked a question, then viewed pricing."""
    now = timezone.now()
    account = factories.account(
        name="Northwind Freight", industry="Manufacturing", employee_count=800, region="EMEA"
    )
    person = factories.person(
        email="lena@northwind.example",
        first_name="Lena",
        last_name="Berg",
        title="Head of Fleet",
        account=account,
        owner=rep,
        stage="mql",
    )
    promo = Campaign.objects.create(name="Facebook - Small Fleet Promo", channel="paid_social")
    ebook = ContentAsset.objects.create(
        title="The Sensor Kit Buying Checklist", kind="ebook", campaign=promo, body=PROMISE
    )
    factories.touch(
        person=person,
        occurred_at=now - timedelta(days=9),
        type="content_download",
        content=ebook,
        campaign=promo,
        channel="paid_social",
        event_id="t-old",
    )
    factories.touch(
        person=person,
        occurred_at=now - timedelta(days=3),
        type="form_submit",
        properties={"Message": "Do you ship sensors to Norway?", "fleet_size": "40"},
        event_id="t-form",
    )
    factories.touch(
        person=person, occurred_at=now - timedelta(hours=2), url="/pricing", event_id="t-new"
    )
    SalesActivity.objects.create(
        person=person,
        user=rep,
        kind="call",
        at=now - timedelta(hours=1),
        note="Left a voicemail",
        outcome="voicemail",
        recorded_at=now,
    )
    Note.objects.create(person=person, user=rep, text="Ask about the Norway depot", at=now)
    return person


@pytest.fixture
def won_customers() -> None:
    """Three won customers: one much like Northwind, one half like it, one not at all."""
    for name, industry, size, region in [
        ("Globex Retail", "Retail", 40, "NA"),
        ("Acme Works", "Manufacturing", 1000, "EMEA"),
        ("Initech Plants", "Manufacturing", 5000, "NA"),
    ]:
        account = factories.account(
            name=name, industry=industry, employee_count=size, region=region
        )
        factories.opportunity(
            name=f"{name} rollout",
            account=account,
            stage="won",
            amount=Decimal("30000.00"),
            close_date=date(2026, 6, 30),
        )
    factories.opportunity(name="Open deal", account=account, stage="proposal")


@pytest.mark.usefixtures("won_customers")
def test_the_brief_tells_the_whole_story(lena: Person, rep: User) -> None:
    brief = handoff_brief(rep, lena.email)
    assert (brief.person.name, brief.person.owner, brief.person.stage_label) == (
        "Lena Berg",
        "rob",
        "MQL",
    )
    assert brief.account is not None
    assert (brief.account.name, brief.account.industry) == ("Northwind Freight", "Manufacturing")
    assert brief.viewer_may_act
    assert [t.type for t in brief.timeline] == ["page_view", "form_submit", "content_download"]
    assert brief.touches == 3
    [seen] = brief.content
    assert (seen.title, seen.kind, seen.campaign, seen.said) == (
        "The Sensor Kit Buying Checklist",
        "ebook",
        "Facebook - Small Fleet Promo",
        PROMISE,
    )
    [campaign] = brief.campaigns
    assert (campaign.name, campaign.messages) == (
        "Facebook - Small Fleet Promo",
        ["The Sensor Kit Buying Checklist"],
    )
    assert [(q.field, q.text) for q in brief.questions] == [
        ("Message", "Do you ship sensors to Norway?")
    ]
    assert [(c.kind, c.text) for c in brief.conversations] == [
        ("note", "Ask about the Norway depot"),
        ("call", "Left a voicemail"),
    ]
    assert [s.account for s in brief.similar_won] == [
        "Acme Works",
        "Initech Plants",
        "Globex Retail",
    ]
    assert brief.similar_won[0].why == [
        "same industry (Manufacturing)",
        "similar size (1,000 vs 800 employees)",
        "same region (EMEA)",
    ]
    assert brief.score["contract_version"] == 1


def test_the_timeline_is_paged_newest_first(lena: Person, viewer: User) -> None:
    brief = handoff_brief(viewer, lena.pk, timeline_limit=2)
    assert [t.type for t in brief.timeline] == ["page_view", "form_submit"]
    assert brief.touches == 3
    assert not brief.viewer_may_act


def test_no_account_no_similar_deals(won_customers: None) -> None:
    assert similar_won_deals(None) == []


def test_the_page_reads_well_for_any_role_but_not_for_outsiders(
    client: Client, lena: Person, marketer: User, outsider: User
) -> None:
    url = f"/people/{lena.pk}/brief/"
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(marketer)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Lena Berg <small" in html
    assert PROMISE in html
    assert "Do you ship sensors to Norway?" in html
    timeline = html[html.index('data-table="timeline"') :]
    assert (
        timeline.index("/pricing")
        < timeline.index("form_submit")
        < timeline.index("content_download")
    )
    assert client.get("/people/999999/brief/").status_code == 404


@pytest.mark.usefixtures("won_customers")
def test_the_api_returns_the_same_brief(
    token_client: Callable[..., Client], lena: Person, viewer: User, outsider: User
) -> None:
    response = token_client(viewer).get(f"/api/v1/people/{lena.email}/brief")
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    assert data["person"]["email"] == "lena@northwind.example"
    assert data["content"][0]["said"] == PROMISE
    assert data["similar_won"][0]["account"] == "Acme Works"
    assert [t["type"] for t in data["timeline"]] == ["page_view", "form_submit", "content_download"]
    assert data["score"]["lines"] is not None
    refused = token_client(outsider).get(f"/api/v1/people/{lena.pk}/brief")
    assert refused.status_code == 403
    assert json.loads(refused.content)["code"] == "forbidden"
