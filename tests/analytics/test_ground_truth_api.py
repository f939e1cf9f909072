"""Through the API and the Marketing page, the demo company's reports recover how it was
generated (``revloop.engine.demo.GROUND_TRUTH``): the misleading assets stand out in
misinformed rejections, and white papers bring downloads and MQLs, not revenue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from revloop.engine.analytics.content import FLAG_MISINFORMS
from revloop.engine.demo import GROUND_TRUTH
from revloop.users.models import User
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
HIGH_INTENT = ("case_study", "pricing_page", "demo_request")

pytestmark = pytest.mark.slow


def _per_touch(credit: dict[str, float], assets: list[dict[str, Any]]) -> float:
    return sum(credit.get(a["title"], 0.0) for a in assets) / sum(a["touches"] for a in assets)


@pytest.mark.django_db
def test_the_api_and_page_recover_the_demo_ground_truth(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    # A few thousand people: the rarer signals need them to stand out from noise.
    seed_company(leads=5000, seed=11, now=NOW)
    api = token_client(marketer)
    content = api.get("/api/v1/analytics/content").json()["assets"]
    misleading = set(GROUND_TRUTH.misleading_content)

    # All three misleading assets lead on misinformed rejections, and only they are flagged.
    ranked = sorted(
        (a for a in content if a["misinformed_p"] is not None), key=lambda a: a["misinformed_p"]
    )
    assert {a["title"] for a in ranked[: len(misleading)]} == misleading
    assert {a["title"] for a in content if FLAG_MISINFORMS in a["flags"]} == misleading

    # White papers: most downloads, more MQLs than others, less winning, and per touch
    # under half the revenue that high-intent content earns -- by the attribution API too.
    papers = [a for a in content if a["kind"] == "white_paper" and a["touches"] > 0]
    high = [a for a in content if a["kind"] in HIGH_INTENT and a["touches"] > 0]
    downloads = sum(a["downloads"] for a in content)
    assert sum(a["downloads"] for a in papers) > downloads / 2
    assert all(a["mql_rate"] > a["mql_rate_others"] for a in papers)
    assert sum(a["win_rate"] < a["win_rate_others"] for a in papers) >= len(papers) - 1
    attribution = api.get(
        "/api/v1/analytics/attribution",
        {"model": "linear", "outcome": "revenue", "level": "content"},
    ).json()
    credit = {row["label"]: row["value"] for row in attribution["credit"]}
    assert _per_touch(credit, papers) < _per_touch(credit, high) / 2

    # The page shows the same: misleading assets flagged, a white paper among the rows
    # with many touches and little revenue.
    page = Client()
    page.force_login(marketer)
    html = page.get("/marketing/").content.decode()
    for title in misleading:
        row = html.split(f'data-asset="{title}"', 1)[1].split("</tr>", 1)[0]
        assert "misinforms</span>" in row, title
    little = [
        chunk.split('"', 1)[0]
        for chunk in html.split('data-asset="')[1:]
        if 'class="little-revenue"' in chunk.split(">", 1)[0]
    ]
    kinds = {a["title"]: a["kind"] for a in content}
    assert "white_paper" in {kinds[t.replace("&#x27;", "'")] for t in little}
