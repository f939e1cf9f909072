"""Attribution pushed down to the engines gives exactly the in-memory models' results.

The reference journeys are built by polars straight from the demo frames and fed to
``build_journeys`` and the numpy models; the pushed-down versions run the ibis
queries on SQLite, DuckDB and (when available) PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from revloop.engine.analytics import (
    RULE_BASED,
    JourneyQuery,
    Tables,
    attribute,
    attribution_columns,
    fetch_journeys,
    markov,
    markov_counts,
    rule_based,
    shapley_pushdown,
    tables_from_arrow,
    totals,
)
from revloop.engine.analytics import attribution as pushdown
from revloop.engine.attribution import (
    AttributionOptions,
    AttributionResult,
    Journeys,
    run_model,
)
from revloop.engine.attribution import markov as in_memory_markov
from revloop.engine.attribution.counts import (
    TransitionCounts,
    count_transitions,
    markov_from_counts,
)
from tests.analytics.demo_data import SOURCES, Frames, frames_from_rows, reference_journeys

QUERIES = [
    JourneyQuery(outcome="mql", level="channel", lookback_days=30.0),
    JourneyQuery(outcome="pipeline", level="campaign", lookback_days=90.0),
    JourneyQuery(outcome="revenue", level="content", lookback_days=None),
    JourneyQuery(outcome="pipeline", level="channel", lookback_days=60.0, contacts="primary"),
]


def assert_same_credit(pushed: AttributionResult, reference: AttributionResult) -> None:
    """Same conversions and value per label; a label one side lacks has 0 there."""
    labels = sorted(set(pushed.channels) | set(reference.channels))
    for get in ("conversions_by_channel", "value_by_channel"):
        ours, theirs = getattr(pushed, get)(), getattr(reference, get)()
        np.testing.assert_allclose(
            [ours.get(label, 0.0) for label in labels],
            [theirs.get(label, 0.0) for label in labels],
            rtol=1e-9,
            atol=1e-6,
            err_msg=f"{pushed.model}: {get}",
        )


@pytest.fixture(scope="module")
def references(demo: Frames) -> dict[JourneyQuery, Journeys]:
    return {query: reference_journeys(demo, query) for query in QUERIES}


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.outcome}-{q.level}-{q.contacts}")
def test_rule_based_models_equal_the_numpy_models(
    demo_tables: Tables, references: dict[JourneyQuery, Journeys], query: JourneyQuery
) -> None:
    for options in (
        AttributionOptions(),
        AttributionOptions(half_life_days=2.5, w_milestone="lead"),
    ):
        pushed = rule_based(demo_tables, query, options=options)
        assert set(pushed) == set(RULE_BASED)
        for model, result in pushed.items():
            assert_same_credit(result, run_model(model, references[query], options))


@pytest.mark.parametrize("query", QUERIES[:3], ids=lambda q: f"{q.outcome}-{q.level}")
def test_markov_and_shapley_equal_the_in_memory_models(
    demo_tables: Tables, references: dict[JourneyQuery, Journeys], query: JourneyQuery
) -> None:
    reference = references[query]
    pushed = markov(demo_tables, query)
    expected = run_model("markov", reference)
    assert_same_credit(pushed, expected)
    for extra in ("removal_effect_conversions", "removal_effect_value"):
        ours, theirs = pushed.extra_by_channel(extra), expected.extra_by_channel(extra)
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    assert pushed.transition_matrix is not None
    assert expected.transition_matrix is not None
    assert pushed.transition_matrix.as_dict() == pytest.approx(
        expected.transition_matrix.as_dict(), rel=1e-12
    )
    assert_same_credit(shapley_pushdown(demo_tables, query), run_model("shapley", reference))


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("collapse", [True, False], ids=["collapse", "keep"])
def test_higher_order_chains_and_repeat_policies(
    demo_sqlite: Tables,
    demo_duckdb: Tables,
    references: dict[JourneyQuery, Journeys],
    order: int,
    collapse: bool,
) -> None:
    query = QUERIES[0]
    expected = in_memory_markov(
        references[query], order=order, repeats="collapse" if collapse else "keep"
    )
    for tables in (demo_sqlite, demo_duckdb):
        assert_same_credit(markov(tables, query, order=order, collapse_repeats=collapse), expected)


def test_counts_are_the_chain_fit_chain_would_count(
    demo_duckdb: Tables, references: dict[JourneyQuery, Journeys]
) -> None:
    query = QUERIES[0]
    pushed = markov_counts(demo_duckdb, query, order=2).frame().sort("from_state", "to_state")
    counted = count_transitions(references[query], order=2).frame().sort("from_state", "to_state")
    assert pushed.to_dicts() == counted.to_dicts()


def test_shapley_beyond_a_bitmask_uses_the_engines_closed_form(
    demo_duckdb: Tables,
    references: dict[JourneyQuery, Journeys],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = QUERIES[2]
    monkeypatch.setattr(pushdown, "_MAX_MASK_LABELS", 3)
    result = shapley_pushdown(demo_duckdb, query)
    assert "closed form" in result.method
    assert_same_credit(result, run_model("shapley", references[query]))


def test_fetched_journeys_are_the_reference_journeys(
    demo_sqlite: Tables, references: dict[JourneyQuery, Journeys]
) -> None:
    for query in QUERIES[:2]:
        fetched, reference = fetch_journeys(demo_sqlite, query), references[query]
        assert fetched.channels == reference.channels
        as_paths = {
            (*fetched.path_labels(p), fetched.conversions[p]) for p in range(fetched.n_paths)
        }
        assert as_paths == {
            (*reference.path_labels(p), reference.conversions[p]) for p in range(reference.n_paths)
        }
        for model in ("w_shaped", "full_path", "time_decay"):
            assert_same_credit(run_model(model, fetched), run_model(model, reference))


def test_materialized_copy_gives_the_same_results(demo_sqlite: Tables) -> None:
    from revloop.engine.analytics import materialize

    query = QUERIES[1]
    copy = materialize(demo_sqlite)
    assert copy.engine == "duckdb"
    assert_same_credit(markov(copy, query), markov(demo_sqlite, query))
    for narrow_query in (QUERIES[0], QUERIES[2]):
        narrow = materialize(demo_sqlite, columns=attribution_columns(narrow_query))
        assert_same_credit(
            rule_based(narrow, narrow_query, models=("linear",))["linear"],
            rule_based(demo_sqlite, narrow_query, models=("linear",))["linear"],
        )
        assert_same_credit(markov(narrow, narrow_query), markov(demo_sqlite, narrow_query))


# A journey by hand ----------------------------------------------------------------------


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@pytest.fixture
def by_hand() -> Tables:
    """Opportunity 1 (won, 100) with p1 as primary and p2 listed; opportunity 2 (open,
    50) whose only contact p4 never touched anything; p3 alone, emailed twice."""
    touches = [
        (1, 1, at(1, 1), "email"),
        (2, 1, at(1, 5), "events"),
        (3, 1, at(2, 20), "paid_search"),  # after the opportunity and the win
        (4, 2, at(1, 8), "referral"),
        (5, 2, at(12, 1, 2025), "webinars"),  # 40 days before the opportunity
        (6, 3, at(1, 2), "email"),
        (7, 3, at(1, 3), "email"),
        (8, None, at(1, 4), "direct"),  # an anonymous visitor
    ]
    return tables_from_arrow(
        frames_from_rows(
            {
                "people_person": [
                    {"id": p, "stage": "lead", "created_at": at(1, 1), "stage_changed_at": at(1, 1)}
                    for p in (1, 2, 3, 4)
                ],
                "activity_touch": [
                    {"id": i, "person_id": p, "occurred_at": t, "channel": c, "type": "page_view"}
                    for i, p, t, c in touches
                ],
                "pipeline_opportunity": [
                    {
                        "id": 1,
                        "primary_contact_id": 1,
                        "amount": 100.0,
                        "stage": "won",
                        "created_at": at(1, 10),
                        "closed_at": at(2, 10),
                    },
                    {
                        "id": 2,
                        "primary_contact_id": 4,
                        "amount": 50.0,
                        "stage": "proposal",
                        "created_at": at(1, 20),
                    },
                ],
                "pipeline_opportunitycontact": [
                    {"id": 1, "opportunity_id": 1, "person_id": 2, "role": "champion"}
                ],
            }
        ),
        SOURCES,
    )


def test_a_buying_group_by_hand(by_hand: Tables) -> None:
    query = JourneyQuery(outcome="pipeline", level="channel", lookback_days=30.0)
    models = rule_based(by_hand, query, models=("first", "last", "linear"))
    assert models["first"].value_by_channel() == {"email": 100.0, "events": 0.0, "referral": 0.0}
    assert models["last"].value_by_channel() == {"email": 0.0, "events": 0.0, "referral": 100.0}
    assert models["linear"].conversions_by_channel() == pytest.approx(
        {"email": 1 / 3, "events": 1 / 3, "referral": 1 / 3}
    )
    found = totals(by_hand, query)
    assert (found.conversions, found.value) == (2.0, 150.0)
    assert (found.unattributed_conversions, found.unattributed_value) == (1.0, 50.0)
    counts = markov_counts(by_hand, query).frame()
    assert sorted(counts.select("from_state", "to_state", "count").rows()) == [
        ("(start)", "email", 2.0),
        ("email", "(null)", 1.0),
        ("email", "events", 1.0),
        ("events", "referral", 1.0),
        ("referral", "(conversion)", 1.0),
    ]
    primary_only = JourneyQuery(outcome="pipeline", level="channel", contacts="primary")
    assert rule_based(by_hand, primary_only, models=("last",))["last"].value_by_channel() == {
        "email": 0.0,
        "events": 100.0,
    }


def test_report_as_json(by_hand: Tables) -> None:
    report = attribute(by_hand, "linear", JourneyQuery(outcome="revenue", lookback_days=None))
    document = report.as_dict()
    assert document["model"] == "linear"
    assert document["total_value"] == 100.0
    # Lookback None: the webinar 40 days before counts, the touch after the win not.
    assert {row["label"]: row["value"] for row in document["credit"]} == pytest.approx(
        {"email": 25.0, "events": 25.0, "referral": 25.0, "webinars": 25.0}
    )
    with pytest.raises(ValueError, match="unknown attribution model"):
        attribute(by_hand, "astrology")
    with pytest.raises(ValueError, match="outcome"):
        JourneyQuery(outcome="vibes")  # type: ignore[arg-type]


# Counts to removal effects, in memory ------------------------------------------------


def random_journeys(seed: int) -> Journeys:
    rng = np.random.default_rng(seed)
    n = 400
    paths = [list(rng.choice(list("abcdef"), size=rng.integers(1, 9))) for _ in range(n)]
    converted = rng.random(n) < 0.3
    return Journeys.from_paths(
        paths,
        converted.astype(float),
        np.where(converted, rng.lognormal(3, 1, n), 0.0),
        (~converted).astype(float),
    )


@pytest.mark.parametrize("seed", [1])
@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("repeats", ["collapse", "keep", "channelattribution"])
def test_markov_from_counts_equals_markov(seed: int, order: int, repeats: str) -> None:
    journeys = random_journeys(seed)
    expected = in_memory_markov(journeys, order=order, repeats=repeats)  # type: ignore[arg-type]
    counts = count_transitions(journeys, order=order, repeats=repeats)  # type: ignore[arg-type]
    for result in (
        markov_from_counts(counts),
        markov_from_counts(TransitionCounts.from_frame(counts.frame())),
    ):
        assert result.channels == expected.channels
        np.testing.assert_allclose(result.conversions, expected.conversions, rtol=1e-10)
        np.testing.assert_allclose(result.value, expected.value, rtol=1e-10)


def test_counts_reject_bad_input() -> None:
    counts = count_transitions(random_journeys(3))
    with pytest.raises(ValueError, match="must not be negative"):
        TransitionCounts(
            channels=counts.channels,
            states=counts.states,
            source=counts.source.copy(),
            target=counts.target.copy(),
            count=-counts.count,
            value=counts.value.copy(),
        )
    import polars as pl

    with pytest.raises(ValueError, match="missing column"):
        TransitionCounts.from_frame(pl.DataFrame({"from_state": ["(start)"]}))
    nothing = markov_from_counts(
        TransitionCounts.from_moves([], []), channels=("a",), detail="empty"
    )
    assert nothing.conversions.tolist() == [0.0]
