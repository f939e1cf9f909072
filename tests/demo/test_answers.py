"""`revloop demo answers`: the generator's planted truth, in the ids the database holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from revloop.activity.models import ContentAsset
from revloop.demo.answers import demo_answers
from revloop.demo.models import DemoSeed
from revloop.engine.demo import DemoConfig, generate
from revloop.engine.vocabulary import Role
from revloop.pipeline.models import Opportunity
from revloop.users.models import User
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Seed 3 at this size stuffs six deals, four by the two planted stuffers and two by
# reps who stuff at the base rate.
LEADS, SEED = 1500, 3
KEYS = {
    "best_channels",
    "worst_channels",
    "best_content",
    "worst_content",
    "stuffed_opportunities",
    "misinforming_content",
    "slow_responders",
}


@pytest.fixture
def seeded(db: None) -> None:
    seed_company(leads=LEADS, seed=SEED, now=NOW)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _generated_stuffed_ids() -> list[int]:
    company = generate(DemoConfig(leads=LEADS, seed=SEED, now=NOW))
    return sorted(i for chunk in company.chunks() for i in chunk.stuffed_opportunity_ids)


def _quarter_end_after(moment: datetime) -> datetime:
    first_month = (moment.month - 1) // 3 * 3 + 1
    year, month = (moment.year + 1, 1) if first_month == 10 else (moment.year, first_month + 3)
    return datetime(year, month, 1, tzinfo=UTC)


@pytest.mark.usefixtures("seeded")
def test_the_seeding_is_recorded() -> None:
    record = DemoSeed.objects.get()
    assert (record.leads, record.seed, record.generated_for, record.months) == (
        LEADS,
        SEED,
        NOW,
        12,
    )


@pytest.mark.usefixtures("seeded")
def test_stuffed_opportunities_are_the_generators_and_are_stored() -> None:
    answers = demo_answers()
    stuffed = answers["stuffed_opportunities"]
    assert stuffed == _generated_stuffed_ids()
    assert len(stuffed) == 6
    assert answers["stuffed_opportunities_missing"] == []
    deals = list(Opportunity.objects.filter(pk__in=stuffed))
    assert len(deals) == len(stuffed)
    for deal in deals:
        # Stuffed deals are opened in the last eight days of a quarter (UTC).
        assert _quarter_end_after(deal.created_at) - deal.created_at <= timedelta(days=8)
    # Most of them belong to the planted stuffers; the ids are not off by one: the
    # deals just before and after them are honest ones, opened whenever.
    stuffers = {row["id"] for row in answers["pipeline_stuffers"]}
    assert sum(deal.owner_id in stuffers for deal in deals) >= 4
    honest = Opportunity.objects.exclude(pk__in=stuffed)
    spread = [_quarter_end_after(d.created_at) - d.created_at for d in honest]
    assert sum(gap > timedelta(days=8) for gap in spread) > len(spread) / 2
    # They rot: won 3% of the time.
    assert sum(deal.stage == "won" for deal in deals) <= 1


@pytest.mark.usefixtures("seeded")
def test_misinforming_content_names_stored_assets_and_their_claims() -> None:
    answers = demo_answers()
    rows = answers["misinforming_content"]
    assert [row["title"] for row in rows] == [
        "The Sensor Kit Buying Checklist",
        "Switching Telematics Providers Made Easy",
        "Small Fleet Promo",
    ]
    for row in rows:
        asset = ContentAsset.objects.get(pk=row["id"])
        assert asset.title == row["title"]
        for claim in row["false_claims"]:
            assert claim["claim"] in asset.body.lower()
            assert claim["quote"] in asset.body
    claims = {row["title"]: [c["claim"] for c in row["false_claims"]] for row in rows}
    assert claims["Small Fleet Promo"] == ["money-back guarantee", "free shipping"]
    assert claims["Switching Telematics Providers Made Easy"] == ["free migration"]


@pytest.mark.usefixtures("seeded")
def test_best_and_worst_content_and_reps_are_stored_rows() -> None:
    answers = demo_answers()
    for row in answers["best_content"] + answers["worst_content"]:
        assert ContentAsset.objects.get(pk=row["id"]).title == row["title"]
    kinds = {row["kind"] for row in answers["best_content"]}
    assert kinds == {"demo_request", "pricing_page", "webinar", "case_study"}
    assert {row["kind"] for row in answers["worst_content"]} >= {"white_paper"}
    (slow,) = answers["slow_responders"]
    rep = User.objects.get(pk=slow["id"])
    assert rep.username == "devon"
    assert Role.SALES_REP.value in rep.roles
    assert answers["best_channels"] == ["referral", "events"]
    assert answers["worst_channels"] == ["content_syndication", "paid_social"]


@pytest.mark.usefixtures("seeded")
def test_command_prints_one_json_document_with_the_documented_keys() -> None:
    found = json.loads(_run("answers", "--json"))
    assert set(found) >= KEYS
    assert found["stuffed_opportunities"] == _generated_stuffed_ids()
    assert found["seeding"]["seed"] == SEED
    human = _run("answers")
    assert "Stuffed opportunities (6, ids)" in human
    assert "Small Fleet Promo" in human
    assert "devon" in human


def test_without_a_seeded_demo_the_command_says_so(db: None) -> None:
    with pytest.raises(CommandError, match="no demo seeding is recorded"):
        _run("answers", "--json")
