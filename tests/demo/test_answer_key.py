"""The answer key agrees with the generator's own data, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from revloop.engine.demo import GROUND_TRUTH, DemoConfig, generate
from revloop.engine.demo.answers import static_answers

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_content_ids_are_the_ids_the_generator_writes() -> None:
    content = generate(DemoConfig(leads=10, seed=1, now=NOW)).content
    titles = dict(zip(content["id"].to_list(), content["title"].to_list(), strict=True))
    answers = static_answers()
    for key in ("best_content", "worst_content", "misinforming_content"):
        for row in answers[key]:
            assert titles[row["id"]] == row["title"]


def test_best_and_worst_follow_the_planted_effects() -> None:
    answers = static_answers()
    effects = GROUND_TRUTH.channel_effects
    best, worst = answers["best_channels"], answers["worst_channels"]
    assert min(effects[c] for c in best) > max(
        effect for c, effect in effects.items() if c not in best
    )
    assert max(effects[c] for c in worst) < min(
        effect for c, effect in effects.items() if c not in worst
    )
    assert all(row["effect"] >= 0.5 for row in answers["best_content"])
    misinforming = [row["title"] for row in answers["misinforming_content"]]
    assert tuple(misinforming) == GROUND_TRUTH.misleading_content
    assert {row["title"] for row in answers["worst_content"]} >= set(misinforming)
    assert [row["key"] for row in answers["slow_responders"]] == list(GROUND_TRUTH.slow_responders)


def test_stuffed_ids_point_at_quarter_end_deals_in_every_chunk() -> None:
    company = generate(DemoConfig(leads=2000, seed=11, now=NOW))
    for chunk in company.chunks():
        deals = chunk.frames["pipeline_opportunity"]
        stuffed = deals.filter(pl.col("id").is_in(list(chunk.stuffed_opportunity_ids)))
        assert stuffed.height == len(chunk.stuffed_opportunity_ids) > 0
        # The last eight days of March, June, September or December (UTC).
        day = stuffed["created_at"].dt
        assert ((day.month() % 3 == 0) & (day.day() >= 22)).all()
