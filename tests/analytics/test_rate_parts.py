"""Every rate in the analytics API comes with the numerator and denominator it divides."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from revloop.users.models import User
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def api(db: None, marketer: User, token_client: Callable[..., Client]) -> Client:
    seed_company(leads=400, seed=3, now=NOW)
    return token_client(marketer)


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _check(row: dict[str, Any], rate: str) -> None:
    numerator, denominator = row[f"{rate}_numerator"], row[f"{rate}_denominator"]
    assert 0 <= numerator <= denominator, (rate, row)
    if row[rate] is None:
        assert denominator == 0, (rate, row)
    else:
        assert row[rate] == pytest.approx(numerator / denominator), (rate, row)


def test_funnel_rates_come_with_their_parts(api: Client) -> None:
    for query in ({}, {"by": "source"}):
        steps = api.get("/api/v1/analytics/funnel", query).json()["steps"]
        assert steps
        for step in steps:
            for rate in ("conversion_rate", "drop_off_rate", "naive_rate"):
                _check(step, rate)
            assert step["conversion_rate_denominator"] == step["converted"] + step["lost"]
            assert step["naive_rate_denominator"] == step["entered"]


def test_content_rates_come_with_their_parts(api: Client) -> None:
    assets = api.get("/api/v1/analytics/content").json()["assets"]
    assert assets
    bases = [f"{o}_rate" for o in ("mql", "sal", "pipeline", "win", "misinformed")]
    rates = [r for base in bases for r in (base, f"{base}_others")]
    for asset in assets:
        for rate in rates:
            _check(asset, rate)
        assert asset["mql_rate_denominator"] == asset["people"]
        assert asset["misinformed_rate_denominator"] == asset["mql"]
    # Asset and everyone else split the same people.
    people = {a["mql_rate_denominator"] + a["mql_rate_others_denominator"] for a in assets}
    assert len(people) == 1


def test_attribution_shares_come_with_their_parts(api: Client) -> None:
    body = api.get("/api/v1/analytics/attribution", {"compare": ["first", "last"]}).json()
    assert body["credit"]
    for row in body["credit"]:
        _check(row, "value_share")
        assert row["value_share_numerator"] == pytest.approx(row["value"])
    total = sum(row["value"] for row in body["credit"])
    assert body["credit"][0]["value_share_denominator"] == pytest.approx(total)
    for row in body["comparison"]["rows"]:
        for model, share in row["share"].items():
            if share is not None:
                top = row["share_numerator"][model]
                assert share == pytest.approx(top / row["share_denominator"][model])


def test_the_commands_give_the_same_parts(api: Client) -> None:
    funnel = json.loads(_run("funnel", "--json"))
    for step in funnel["steps"]:
        _check(step, "conversion_rate")
    attribution = json.loads(_run("attribution", "--compare", "first,last", "--json"))
    for row in attribution["credit"]:
        _check(row, "value_share")
    assert attribution["comparison"]["rows"][0]["share_denominator"]
