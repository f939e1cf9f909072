"""Topic grouping of what prospects say: each question lands with its siblings."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.insights import Asset, Deal, Said, field_insights, group_texts, words

LABELLED = yaml.safe_load(
    (
        Path(__file__).resolve().parents[1] / "data" / "insights" / "labelled_questions.yaml"
    ).read_text()
)
TEXTS = [text for texts in LABELLED.values() for text in texts]
LABELS = [label for label, texts in LABELLED.items() for _ in texts]
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


def partition(groups: list[list[int]], texts: list[str]) -> set[frozenset[str]]:
    return {frozenset(texts[i] for i in group) for group in groups}


def test_each_hand_labelled_question_lands_with_its_siblings_and_no_one_else() -> None:
    groups, _, _ = group_texts(TEXTS)
    found = {frozenset(LABELS[i] for i in group) for group in groups}
    assert all(len(labels) == 1 for labels in found), found
    assert len(groups) == len(LABELLED)
    expected = {frozenset(texts) for texts in LABELLED.values()}
    assert partition(groups, TEXTS) == expected


def test_same_thing_in_other_words_reads_alike() -> None:
    assert words("What does it cost per truck?") == words("What is the price per vehicle?")
    assert "integration" in words("Can you connect to our TMS?")


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_grouping_does_not_depend_on_row_order(rnd: random.Random) -> None:
    shuffled = TEXTS[:]
    rnd.shuffle(shuffled)
    groups, _, _ = group_texts(shuffled)
    assert partition(groups, shuffled) == partition(group_texts(TEXTS)[0], TEXTS)


def test_a_topic_counts_trend_deals_and_the_content_that_answers_it() -> None:
    said: list[Said] = []
    n = 0
    for label, texts in LABELLED.items():
        for k, text in enumerate(texts):
            n += 1
            # Pricing is asked mostly in the last 30 days; deals 1-3 are on pricing.
            days = 5 if label == "pricing" and k < 4 else 40
            deals = (n % 3 + 1,) if label == "pricing" else ()
            said.append(
                Said(n, text, "question", NOW - timedelta(days=days), person=n, deals=deals)
            )
    deals = {
        1: Deal(1, Decimal("1000.00"), "USD", True),
        2: Deal(2, Decimal("2000.00"), "USD", False),
        3: Deal(3, Decimal("500.50"), "USD", None),
    }
    assets = [
        Asset(10, "Pricing", "Plans and prices per vehicle, with volume discounts."),
        Asset(11, "Security Overview", "Where fleet data is hosted (EU and US) and GDPR."),
        Asset(12, "Idle Fuel", "How idling burns fuel."),
    ]
    topics = {t.representative: t for t in field_insights(said, deals, assets, now=NOW)}
    pricing = next(t for t in topics.values() if t.answered_by_title == "Pricing")
    assert pricing.count == 5
    assert (pricing.this_period, pricing.last_period, pricing.trend) == (4, 1, "rising")
    assert (pricing.deals, pricing.won, pricing.closed, pricing.win_rate) == (3, 1, 2, 0.5)
    assert dict(pricing.pipeline) == {"USD": "500.50"}
    assert "price" in pricing.terms
    privacy = next(t for t in topics.values() if t.answered_by == 11)
    assert privacy.count == 4
    gaps = [t for t in topics.values() if t.content_gap]
    # ELD, batteries, integration and contract length: nothing in the three assets answers them.
    assert len(gaps) == 4
    assert all(t.answered_by is None and t.win_rate is None for t in gaps)
    assert sum(t.count for t in topics.values()) == len(said)


def test_nothing_said_gives_no_topic_and_stop_words_alone_are_their_own() -> None:
    assert field_insights([], {}, [], now=NOW) == []
    only = field_insights(
        [Said(1, "Is it?", "question", NOW, 1), Said(2, "Is it?", "question", NOW, 2)],
        {},
        [],
        now=NOW,
    )
    assert [(t.count, t.representative, t.content_gap) for t in only] == [(2, "Is it?", True)]
