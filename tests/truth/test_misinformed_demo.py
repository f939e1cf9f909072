"""On the demo company, the report names the generator's three misinforming assets first
and no asset whose copy is clean above the threshold (checked against the answer key)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from revloop.analytics.insights import insights_report
from revloop.analytics.misinformed import misinformed_report
from revloop.demo.answers import demo_answers
from revloop.engine.demo import GROUND_TRUTH
from revloop.users.models import User
from tests.analytics.seeded import seed_company

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


@pytest.fixture
def seeded() -> None:
    # Enough people for the rarer misinformed verdicts to stand clear of the noise.
    seed_company(leads=2500, seed=11, now=NOW)


def _check(report: dict[str, Any]) -> None:
    key = {row["id"] for row in demo_answers()["misinforming_content"]}
    assert len(key) == 3
    top = report["assets"][:3]
    assert {row["asset_id"] for row in top} == key
    for row in top:
        assert row["flagged"], row["title"]
        assert row["findings"], row["title"]
        assert row["low"] > report["threshold"]
        assert row["seen"] > 0
        assert row["unseen"] > 0
    for row in report["assets"][3:]:
        assert not row["flagged"], row
        if not row["claims"]:
            assert row["low"] is None or row["low"] <= report["threshold"], row


def test_the_three_misinforming_assets_lead_and_no_clean_one_is_named(seeded: None) -> None:
    report = misinformed_report()
    _check(report)
    # The demo's notes name what each misinformed lead expected: read as beliefs.
    assert report["with_belief"] >= report["misinformed"] * 0.8
    partner = next(r for r in report["assets"] if r["title"] == "Brightline Partner Program")
    assert not partner["flagged"]
    assert not partner["claims"]


def test_the_demo_company_shows_true_field_insights(seeded: None) -> None:
    report = insights_report(now=NOW)
    assert report["items"] > 200
    topics = report["topics"]
    price = next(t for t in topics if "price" in t["terms"])
    contract = next(t for t in topics if "contract" in t["terms"])
    eld = next(t for t in topics if "eld" in t["terms"])
    # Planted: price and contract objections come up on lost deals three times as often.
    others = [t for t in topics if t not in (price, contract) and t["win_rate_denominator"]]
    won = sum(t["win_rate_numerator"] for t in others)
    closed = sum(t["win_rate_denominator"] for t in others)
    for topic in (price, contract):
        assert topic["win_rate"] < won / closed
    # Planted: ELD questions are on the rise; nothing speaks to contract terms.
    assert eld["this_period"] > eld["last_period"]
    assert contract["content_gap"]
    assert price["answered_by_title"] == "Pricing"


def test_the_marketing_page_names_the_three_first_with_their_false_sentences(
    seeded: None, client: Client, marketer: User
) -> None:
    client.force_login(marketer)
    html = client.get("/marketing/").content.decode()
    panel = html[html.index('id="misinformed"') : html.index('id="content"')]
    named = re.findall(r'data-misinforming="([^"]+)"', panel)
    assert set(named) == set(GROUND_TRUTH.misleading_content)
    assert "Brightline Partner Program" not in named
    assert "free migration of all your historical trip data" in panel
    assert "Data migration from another telematics provider is a paid professional service." in (
        panel
    )
    # One entry per false sentence, with each truth it contradicts.
    assert panel.count("money-back guarantee and free shipping on your first sensor kit") == 1
    # The content table's column is the same excess rate, not a count of rejections.
    table = html[html.index('data-table="content"') :]
    assert "Misinformed (excess)" in table
    row = re.search(r'data-asset="Small Fleet Promo"((?:(?!</tr>).)*)</tr>', table, re.S)
    assert row is not None
    assert re.search(r"\+\d+\.\d pts", row.group(1))
