"""The reports over the API: what they hold, who may read them, how the cache stays fresh."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import Client

from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.users.models import User
from tests import factories
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ENDPOINTS = (
    "/api/v1/analytics/funnel",
    "/api/v1/analytics/attribution",
    "/api/v1/analytics/content",
    "/api/v1/analytics/rejections",
)


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=400, seed=3, now=NOW)


@pytest.mark.usefixtures("company")
def test_funnel_has_every_step_with_counts_rates_and_quantiles(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    body = token_client(marketer).get("/api/v1/analytics/funnel").json()
    steps = {(s["from_stage"], s["to_stage"]): s for s in body["steps"]}
    assert list(steps) == [
        ("lead", "mql"),
        ("mql", "sal"),
        ("sal", "sql"),
        ("sql", "opportunity"),
        ("opportunity", "customer"),
        ("lead", "customer"),
    ]
    assert steps[("lead", "customer")]["entered"] == Person.objects.count()
    for step in steps.values():
        assert step["entered"] == step["converted"] + step["lost"] + step["still_open"]
    first = steps[("lead", "mql")]
    assert first["days_in_stage_p25"] <= first["days_in_stage_p50"]
    assert first["days_in_stage_p50"] <= first["days_in_stage_p75"] <= first["days_in_stage_p90"]


@pytest.mark.usefixtures("company")
def test_funnel_slices_by_source_and_cohort_window(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(marketer)
    by_source = client.get("/api/v1/analytics/funnel", {"by": "source"}).json()
    overall = client.get("/api/v1/analytics/funnel").json()
    leads = [
        s for s in by_source["steps"] if s["to_stage"] == "customer" and s["from_stage"] == "lead"
    ]
    assert sum(s["entered"] for s in leads) == overall["steps"][-1]["entered"]
    window = client.get(
        "/api/v1/analytics/funnel", {"from": "2026-06-01", "to": "2026-09-01"}
    ).json()
    created = Person.objects.filter(
        created_at__gte=datetime(2026, 6, 1, tzinfo=UTC),
        created_at__lt=datetime(2026, 9, 1, tzinfo=UTC),
    ).count()
    assert window["steps"][-1]["entered"] == created


@pytest.mark.usefixtures("company")
def test_attribution_gives_one_model_and_compares_several(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    body = (
        token_client(marketer)
        .get(
            "/api/v1/analytics/attribution",
            {
                "model": "linear",
                "outcome": "pipeline",
                "level": "campaign",
                "compare": ["first", "markov", "shapley"],
            },
        )
        .json()
    )
    assert body["model"] == "linear"
    assert body["outcome"] == "pipeline"
    credited = sum(row["value"] for row in body["credit"])
    assert credited == pytest.approx(body["total_value"] - body["unattributed_value"], rel=1e-6)
    comparison = body["comparison"]
    assert comparison["models"] == ["first", "markov", "shapley"]
    for model in comparison["models"]:
        shares = [row["share"][model] for row in comparison["rows"] if row["share"].get(model)]
        assert sum(shares) == pytest.approx(1.0)


@pytest.mark.usefixtures("company")
def test_rejections_by_source_count_the_reason_coded_rejections(
    manager: User, token_client: Callable[..., Client]
) -> None:
    body = token_client(manager).get("/api/v1/analytics/rejections").json()
    stored = StageTransition.objects.filter(
        to_stage__in=("recycled", "disqualified"),
        from_stage__in=("lead", "mql", "sal", "sql"),
    ).exclude(reason_code="")
    assert sum(row["rejections"] for row in body["rows"]) == stored.count()
    for reason in body["reasons"][:3]:
        expected = stored.filter(reason_code=reason, person__source="paid_social").count()
        found = [r for r in body["rows"] if r["value"] == "paid_social" and r["reason"] == reason]
        assert (found[0]["rejections"] if found else 0) == expected


@pytest.mark.usefixtures("company")
def test_rejections_by_content_and_campaign(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(marketer)
    for by in ("campaign", "content"):
        body = client.get("/api/v1/analytics/rejections", {"by": by}).json()
        assert body["by"] == by
        assert body["rows"], by


@pytest.mark.usefixtures("company")
def test_the_cache_serves_until_the_data_changes(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(marketer)
    first = client.get("/api/v1/analytics/funnel").json()
    assert first["cache"]["hit"] is False
    again = client.get("/api/v1/analytics/funnel").json()
    assert again["cache"]["hit"] is True
    assert again["steps"] == first["steps"]
    factories.person()
    changed = client.get("/api/v1/analytics/funnel").json()
    assert changed["cache"]["hit"] is False
    assert changed["steps"][-1]["entered"] == first["steps"][-1]["entered"] + 1
    assert client.get("/api/v1/analytics/funnel", {"fresh": True}).json()["cache"]["hit"] is False


@pytest.mark.parametrize("persona", ["marketer", "rep", "manager", "viewer"])
def test_every_role_reads_the_reports(
    persona: str, request: pytest.FixtureRequest, token_client: Callable[..., Client]
) -> None:
    user = request.getfixturevalue(persona)
    response = token_client(user).get("/api/v1/analytics/rejections")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_outsider_is_refused(
    endpoint: str, outsider: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(outsider).get(endpoint)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("endpoint", "query", "field"),
    [
        ("/api/v1/analytics/funnel", {"by": "shoe_size"}, "by"),
        ("/api/v1/analytics/attribution", {"model": "astrology"}, "model"),
        ("/api/v1/analytics/attribution", {"outcome": "vibes"}, "outcome"),
        ("/api/v1/analytics/attribution", {"lookback_days": -3}, "lookback_days"),
        ("/api/v1/analytics/rejections", {"by": "weather"}, "by"),
        ("/api/v1/analytics/funnel", {"engine": "abacus"}, "engine"),
    ],
)
def test_bad_parameters_are_named(
    endpoint: str,
    query: dict[str, object],
    field: str,
    marketer: User,
    token_client: Callable[..., Client],
) -> None:
    response = token_client(marketer).get(endpoint, query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["message"].startswith(field)
