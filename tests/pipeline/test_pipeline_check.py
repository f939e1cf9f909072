"""`revloop pipeline check`, `revloop forecast`, their API and the pipeline page, on the
demo company: flags name the stored opportunity and its check, and find the deals the
generator stuffed (`revloop demo answers`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from revloop.demo.answers import demo_answers
from revloop.pipeline.models import Opportunity
from revloop.users.models import User
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEADS, SEED = 5000, 7


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=LEADS, seed=SEED, now=NOW)


def _run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, "--json", "--as-of", NOW.isoformat(), stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.usefixtures("company")
def test_the_check_finds_the_stuffed_deals_still_in_the_pipeline() -> None:
    result = _run("pipeline", "check")
    open_ids = set(Opportunity.objects.filter(closed_at__isnull=True).values_list("pk", flat=True))
    stuffed = set(demo_answers()["stuffed_opportunities"]) & open_ids
    suspects = set(result["suspects"])
    assert len(stuffed) >= 5
    found = suspects & stuffed
    assert len(found) / len(stuffed) >= 0.85  # recall
    assert len(found) / len(suspects) >= 0.85  # precision
    assert result["deals"] == len(open_ids)
    for flag in result["flags"]:
        assert flag["opportunity"] in open_ids
        assert flag["check"] in result["thresholds"]["suspect_ignores"] or flag["check"] in {
            "no_activity",
            "close_date_pushed",
            "past_due",
            "end_of_quarter_burst",
            "skipped_stage",
            "amount_jump",
            "no_contact",
            "stuck_in_stage",
        }
        assert flag["evidence"]


@pytest.mark.usefixtures("company")
def test_health_per_rep_and_team_states_its_parts() -> None:
    health = _run("pipeline", "check")["health"]
    reps = {row["rep"]: row["trend"] for row in health["reps"]}
    assert {"tom", "jonas"} <= set(reps)
    for trend in reps.values():
        now = trend[-1]
        assert now["label"] == "now"
        assert now["numerator"] <= now["denominator"]
        if now["denominator"]:
            assert now["score"] == pytest.approx(
                100 * now["numerator"] / now["denominator"], abs=0.06
            )
    # The reps who stuff their pipeline are the least healthy.
    scores = {rep: trend[-1]["score"] for rep, trend in reps.items()}
    assert max(scores["tom"], scores["jonas"]) < min(
        s for rep, s in scores.items() if rep not in ("tom", "jonas")
    )
    assert {row["team"] for row in health["teams"]} == {"emea", "north_america"}


@pytest.mark.usefixtures("company")
def test_all_audits_closed_deals_too() -> None:
    result = _run("pipeline", "check", "--all")
    assert result["scope"] == "open and closed"
    assert result["deals"] == Opportunity.objects.count()


@pytest.mark.usefixtures("company")
def test_forecast_with_backtest() -> None:
    result = _run("forecast", "--backtest", "2")
    this, following = result["periods"]
    assert (this["period"], following["period"]) == ("2026-Q4", "2027-Q1")
    for period in (this, following):
        assert period["interval"]["low"] <= period["expected"] <= period["interval"]["high"]
        assert period["forecast_category"] == "absent"
        assert period["commit"] is None
    assert this["won_to_date"] > 0
    backtest = result["backtest"]
    assert backtest["coverage"]["denominator"] == len(backtest["quarters"])
    for quarter in backtest["quarters"]:
        assert quarter["actual"] > 0


@pytest.mark.django_db
def test_a_negative_backtest_is_refused_in_one_line() -> None:
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("forecast", "--backtest", "-1")


@pytest.mark.usefixtures("company")
def test_the_api_answers_with_the_same_flags(
    rep: User, outsider: User, token_client: Callable[..., Client]
) -> None:
    body = token_client(rep).get("/api/v1/pipeline/checks", {"as_of": NOW.isoformat()}).json()
    assert body["suspects"] == _run("pipeline", "check")["suspects"]
    assert token_client(outsider).get("/api/v1/pipeline/checks").status_code == 403
    forecast = token_client(rep).get("/api/v1/pipeline/forecast", {"as_of": NOW.isoformat()})
    assert forecast.status_code == 200
    assert [p["period"] for p in forecast.json()["periods"]] == ["2026-Q4", "2027-Q1"]


@pytest.mark.usefixtures("company")
def test_the_page_shows_flags_with_evidence_and_each_reps_health(
    rep: User, manager: User, outsider: User, django_assert_num_queries: Any
) -> None:
    for user in (rep, manager):
        client = Client()
        client.force_login(user)
        # session, the user and their roles (read once, with the user); the active
        # contract; four reads of the pipeline through the ORM (deals, contacts,
        # changes, currencies; touches and sales activities are read as columns on the
        # raw connection, which this count does not see); the dismissals; usernames.
        # None per deal or per rep.
        with django_assert_num_queries(10):
            response = client.get("/pipeline/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-table="health"' in html
        assert 'data-table="flags"' in html
        assert 'data-rep="tom"' in html
        assert "days without activity" in html
        assert 'href="/pipeline/" aria-current="page"' in html
    client = Client()
    client.force_login(outsider)
    assert client.get("/pipeline/").status_code == 403
