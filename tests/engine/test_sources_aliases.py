"""Near-duplicate labels are proposed, never merged on their own; a confirmed alias
map merges them. Conservative both ways: a spelling, plural, word form or typo is
proposed; a different word, number or letter is not."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.analytics.labels import (
    AliasError,
    AliasMap,
    near_duplicate,
    proposals_as_aliases,
    propose_merges,
)


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("Tradeshow", "Trade Show", "spelling"),
        ("trade-show", "TRADE SHOW", "spelling"),
        ("paid_search", "Paid Search", "spelling"),
        ("GTXPro", "GTX Pro", "spelling"),
        ("Événement", "evenement", "spelling"),
        ("Email", "Emails", "plural"),
        ("Webinar", "Webinars", "plural"),
        ("Trade Shows", "Trade Show", "plural"),
        ("Advertisement", "Advertising", "word form"),
        ("Advertisements", "Advertising", "word form"),
        ("Organic Serach", "Organic Search", "typo"),
        ("Marketting", "Marketing", "typo"),
    ],
)
def test_proposed(a: str, b: str, why: str) -> None:
    assert near_duplicate(a, b) == why
    assert near_duplicate(b, a) == why


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Email", "Gmail"),
        ("Paid Search", "Paid Social"),
        ("Direct", "Direct Mail"),
        ("Internal", "External"),
        ("Online", "Offline"),
        ("Webinar", "Seminar"),
        ("Market", "Marketing"),
        ("Group A", "Group B"),
        ("Tier 1", "Tier 2"),
        ("Campaign 2017-01", "Campaign 2017-02"),
        ("other", "other_publicities"),
        ("GTX Basic", "GTX Plus Basic"),
        ("Web", "(blank)"),
    ],
)
def test_not_proposed(a: str, b: str) -> None:
    assert near_duplicate(a, b) is None


def test_proposals_group_variants_under_the_most_used_spelling() -> None:
    counts = {
        "Trade Show": 5,
        "Tradeshow": 9,
        "trade-show": 1,
        "Web": 30,
        "Advertising": 3,
        "Advertisement": 4,
        "Email": 2,
        "Gmail": 2,
    }
    proposals = propose_merges("Lead Source", counts)
    assert [(p.canonical, p.variants) for p in proposals] == [
        ("Tradeshow", ("Trade Show", "trade-show")),
        ("Advertisement", ("Advertising",)),
    ]
    assert proposals[1].reasons == ("word form",)
    assert proposals_as_aliases(proposals) == {
        "Lead Source": {
            "Trade Show": "Tradeshow",
            "trade-show": "Tradeshow",
            "Advertising": "Advertisement",
        }
    }


def test_proposals_do_not_depend_on_the_order_labels_come_in() -> None:
    labels = ["Tradeshow", "Trade Show", "Email", "Emails", "Web", "Webinar", "Webinars"]
    forward = propose_merges("s", dict.fromkeys(labels, 1))
    backward = propose_merges("s", dict.fromkeys(reversed(labels), 1))
    assert forward == backward


def test_many_distinct_labels_are_compared_quickly() -> None:
    counts = {f"Account {chr(65 + i % 26)}{i:05d}x": 1 for i in range(20_000)}
    assert propose_merges("account", counts) == []


def test_alias_map_per_column_and_for_every_column() -> None:
    aliases = AliasMap.parse(
        {"Lead Source": {"Trade Show": "Tradeshow"}, "Advertising": "Advertisement"}
    )
    assert aliases.apply("lead_source", ["trade show", "Advertising", "Web"]) == {
        "trade show": "Tradeshow",
        "Advertising": "Advertisement",
        "Web": "Web",
    }
    assert aliases.apply("region", ["Trade Show"]) == {"Trade Show": "Trade Show"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["a"], "must be a mapping"),
        ({"source": {"A": ""}}, "empty"),
        ({"source": {"A": "B", "a": "C"}}, "both"),
        ({"source": {"A": "B", "B": "C"}}, "itself mapped"),
        ({"source": 3}, "canonical label"),
    ],
)
def test_a_bad_alias_map_is_refused_naming_the_entry(data: object, message: str) -> None:
    with pytest.raises(AliasError, match=message):
        AliasMap.parse(data)


_LABEL = st.text(alphabet="abcdeEST -_12sgn", min_size=1, max_size=14)


@settings(max_examples=300, deadline=None)
@given(a=_LABEL, b=_LABEL)
def test_the_relation_is_symmetric_and_never_joins_different_numbers(a: str, b: str) -> None:
    why = near_duplicate(a, b)
    assert why == near_duplicate(b, a)
    if why is not None:
        assert re.findall(r"\d+", a) == re.findall(r"\d+", b)
        assert a != b


@settings(max_examples=100, deadline=None)
@given(counts=st.dictionaries(_LABEL, st.integers(1, 50), max_size=25))
def test_every_proposed_pair_is_found_however_labels_are_blocked(counts: dict[str, int]) -> None:
    """The blocking that keeps many labels quick loses no pair a full comparison finds."""
    proposals = propose_merges("c", counts)
    grouped = {label: p.canonical for p in proposals for label in p.counts}
    labels = [label for label in counts if label.strip()]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if near_duplicate(a, b) is not None:
                assert grouped.get(a) is not None
                assert grouped.get(a) == grouped.get(b)
