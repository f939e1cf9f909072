"""What the analytics find in the demo company matches how it was generated
(``revloop.engine.demo.GROUND_TRUTH`` and the generator's docstring)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from revloop.engine.analytics import (
    ContentReport,
    Tables,
    content_effectiveness,
    funnel,
    tables_from_arrow,
)
from revloop.engine.analytics.content import FLAG_LITTLE_REVENUE, FLAG_MISINFORMS
from revloop.engine.demo import GROUND_TRUTH
from tests.analytics.demo_data import SOURCES, demo_frames


@pytest.fixture(scope="module")
def company() -> Tables:
    # Larger than the shared demo: the rarer signals (misinformed rejections, wins
    # by source) need a few thousand people to stand out from noise.
    return tables_from_arrow(demo_frames(5000, seed=11), SOURCES)


@pytest.fixture(scope="module")
def content(company: Tables) -> ContentReport:
    return content_effectiveness(company)


def test_referral_and_events_convert_better_than_syndication_and_paid_social(
    company: Tables,
) -> None:
    report = funnel(company, by="source")
    for start, end in (("sal", "sql"), ("lead", "customer")):
        rate = {
            source: report.step(start, end, source=source)["conversion_rate"]
            for source in ("referral", "events", "content_syndication", "paid_social")
        }
        assert min(rate["referral"], rate["events"]) > max(
            rate["content_syndication"], rate["paid_social"]
        ), (start, end, rate)


def test_misleading_assets_stand_out_in_misinformed_rejections(content: ContentReport) -> None:
    assets = content.assets
    misleading = set(GROUND_TRUTH.misleading_content)
    seen = assets.filter(pl.col("title").is_in(list(misleading)) & (pl.col("people") > 0))
    # The generator shows all three (the switching guide through competitor-term ads).
    assert seen.height == len(misleading) == 3
    leaders = assets.sort("misinformed_p", nulls_last=True).head(seen.height)
    assert set(leaders["title"]) == set(seen["title"])
    flagged = assets.filter(pl.col("flags").list.contains(FLAG_MISINFORMS))
    assert set(flagged["title"]) == set(seen["title"])


def test_white_papers_make_mqls_but_not_revenue(content: ContentReport) -> None:
    assets = content.assets.filter(pl.col("people") > 0).with_columns(
        win_lift=pl.col("win_rate") / pl.col("win_rate_others")
    )
    papers = assets.filter(pl.col("kind") == "white_paper")
    assert papers.height >= 5
    # Their readers become MQLs more often than everyone else ...
    assert (papers["mql_rate"] > papers["mql_rate_others"]).all()
    # ... but no kind of content goes with winning less.
    by_kind = (
        assets.group_by("kind")
        .agg(pl.col("win_lift").mean(), pl.len())
        .filter(pl.col("len") >= 2)
        .sort("win_lift")
    )
    assert by_kind["kind"][0] == "white_paper"
    # They bring most of the downloads, and per touch they earn under half of what
    # the high-intent content (case studies, pricing, demo requests) earns.
    downloaded = content.assets.filter(pl.col("downloads") > 0)
    assert papers["downloads"].sum() > downloaded["downloads"].sum() / 2
    high_intent = content.assets.filter(
        pl.col("kind").is_in(["case_study", "pricing_page", "demo_request"])
    )
    assert _revenue_per_touch(papers) < _revenue_per_touch(high_intent) / 2
    # The report lists assets with many touches first, lowest revenue per touch first.
    many = content.assets.filter(pl.col("many_touches"))
    assert many["revenue_per_touch"].is_sorted()
    assert content.assets.head(many.height)["title"].to_list() == many["title"].to_list()
    flagged = many.filter(pl.col("flags").list.contains(FLAG_LITTLE_REVENUE))
    assert "white_paper" in flagged["kind"].to_list()


def _revenue_per_touch(assets: pl.DataFrame) -> float:
    return float(assets["attributed_revenue"].sum()) / float(assets["touches"].sum())


def test_content_report_is_the_same_on_every_engine(
    demo_tables: Tables, demo_duckdb: Tables
) -> None:
    report = content_effectiveness(demo_tables)
    assert report.assets.height == 48
    assert_frame_equal(report.assets, content_effectiveness(demo_duckdb).assets, check_exact=False)
    assert report.as_dict()["assets"][0]["title"] == report.assets["title"][0]
