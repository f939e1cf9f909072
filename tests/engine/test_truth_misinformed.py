"""The excess-rate ranking of misinforming content, by hand, by property and on the demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import revloop.engine.demo
from revloop.engine.demo import GROUND_TRUTH
from revloop.engine.truth import Checker, load_catalog
from revloop.engine.truth.misinformed import (
    AssetExcess,
    Judged,
    newcombe,
    rank_misinforming,
    wilson,
)
from tests.analytics.demo_data import demo_frames

I64 = np.int64


def judged(rows: list[tuple[int, bool, str]]) -> Judged:
    return Judged(
        person=np.array([r[0] for r in rows], dtype=I64),
        misinformed=np.array([r[1] for r in rows], dtype=bool),
        belief=[r[2] for r in rows],
    )


def test_an_asset_is_charged_only_with_beliefs_about_its_own_claims() -> None:
    # 1-4 saw asset 10 (free shipping) and asset 20 (clean); 5-8 saw neither.
    people = judged(
        [
            (1, True, "free_shipping"),
            (2, True, "free_shipping"),
            (3, True, "money_back"),
            (4, False, ""),
            (5, False, ""),
            (6, False, ""),
            (7, True, ""),
            (8, False, ""),
        ]
    )
    seen_p = np.array([1, 2, 3, 4, 1, 2, 3, 4, 1], dtype=I64)
    seen_a = np.array([10, 10, 10, 10, 20, 20, 20, 20, 10], dtype=I64)
    rows = {
        r.asset: r
        for r in rank_misinforming(people, seen_p, seen_a, {10: ["free_shipping"], 20: []})
    }
    shipping, clean = rows[10], rows[20]
    # Asset 10: 2 of 4 who saw it (the money-back belief is not its claim), 1 of 4 others.
    assert (shipping.seen, shipping.seen_misinformed) == (4, 2)
    assert (shipping.unseen, shipping.unseen_misinformed) == (4, 1)
    assert shipping.excess == pytest.approx(0.25)
    # Asset 20 claims nothing: only the unknown belief (person 7, who did not see it) counts.
    assert (clean.seen_misinformed, clean.unseen_misinformed) == (0, 1)
    assert clean.excess == pytest.approx(-0.25)
    assert shipping.low is not None
    assert shipping.low < shipping.excess < shipping.high


def test_wilson_and_newcombe_match_published_values() -> None:
    # Newcombe (1998), table II example (c): 56/70 vs 48/80 → (0.0524, 0.3339).
    low, high = newcombe(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson(0, 0) == (0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(["", "a", "b"])), min_size=2, max_size=30),
    st.lists(st.tuples(st.integers(0, 29), st.integers(0, 3)), max_size=60),
    st.randoms(use_true_random=False),
)
def test_the_answer_does_not_depend_on_row_order(
    people: list[tuple[bool, str]], pairs: list[tuple[int, int]], rnd: object
) -> None:
    rows = [(i, m, b) for i, (m, b) in enumerate(people)]
    pairs = [(p, a) for p, a in pairs if p < len(rows)]
    claims = {0: ["a"], 1: ["b"], 2: [], 3: ["a", "b"]}
    first = rank_misinforming(
        judged(rows),
        np.array([p for p, _ in pairs], dtype=I64),
        np.array([a for _, a in pairs], dtype=I64),
        claims,
    )
    rnd.shuffle(rows)  # type: ignore[attr-defined]
    rnd.shuffle(pairs)  # type: ignore[attr-defined]
    again = rank_misinforming(
        judged(rows),
        np.array([p for p, _ in pairs], dtype=I64),
        np.array([a for _, a in pairs], dtype=I64),
        {k: list(reversed(v)) for k, v in reversed(claims.items())},
    )
    assert first == again
    for row in first:
        if row.excess is not None:
            assert row.low is not None
            assert row.high is not None
            assert -1.0 <= row.low <= row.excess <= row.high <= 1.0


def test_a_person_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="once"):
        rank_misinforming(
            judged([(1, True, ""), (1, False, "")]), np.array([], I64), np.array([], I64), {}
        )


def test_on_the_generated_company_the_three_lead_and_beliefs_clear_the_rest() -> None:
    """Straight from the generator's frames (no database)."""
    frames = demo_frames(2500, seed=11)
    moves = frames["lifecycle_stagetransition"]
    verdict = (
        moves.filter(pl.col("from_stage") == "mql").group_by("person_id").agg(pl.col("at").min())
    )
    misled = (
        moves.filter(pl.col("reason_code") == "misinformed")
        .sort("at", "id")
        .group_by("person_id")
        .agg(pl.col("at").first().alias("misled_at"), pl.col("note").first())
    )
    people = (
        verdict.join(misled, on="person_id", how="full", coalesce=True)
        .with_columns(
            cutoff=pl.coalesce("misled_at", "at"),
            misinformed=pl.col("misled_at").is_not_null(),
            note=pl.col("note").fill_null(""),
        )
        .sort("person_id")
    )
    touches = frames["activity_touch"].filter(pl.col("content_id").is_not_null())
    seen = touches.join(people, on="person_id").filter(pl.col("occurred_at") <= pl.col("cutoff"))
    catalog = load_catalog(Path(revloop.engine.demo.__file__).parent / "offer_catalog.yaml")
    checker = Checker(catalog)
    assets = frames["activity_contentasset"]
    claims = {
        int(pk): [f.fact for f in checker.check(body).findings]
        for pk, body in zip(assets["id"], assets["body"], strict=True)
    }
    titles = dict(zip(assets["id"], assets["title"], strict=True))

    def ranked(beliefs: list[str]) -> list[AssetExcess]:
        return rank_misinforming(
            Judged(
                person=people["person_id"].to_numpy().astype(I64),
                misinformed=people["misinformed"].to_numpy(),
                belief=beliefs,
            ),
            seen["person_id"].to_numpy().astype(I64),
            seen["content_id"].to_numpy().astype(I64),
            claims,
        )

    facts = {fact.id for fact in catalog.facts}
    read = [
        next((f.fact for f in checker.check(note).findings if f.fact in facts), "")
        for note in people["note"]
    ]
    for beliefs in ([""] * people.height, read):
        rows = ranked(beliefs)
        assert {titles[r.asset] for r in rows[:3]} == set(GROUND_TRUTH.misleading_content)
        assert all(r.flagged for r in rows[:3])
    # Without beliefs, readers of clean content that shares the misled audience (the
    # cold chain case study) stand out too; what the leads believed clears them.
    assert any(r.flagged for r in ranked([""] * people.height)[3:])
    assert not any(r.flagged for r in ranked(read)[3:])
