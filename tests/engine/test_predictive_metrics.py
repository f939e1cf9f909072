"""The evaluation figures and the naive-Bayes baseline (hypothesis properties).

- Brier is in [0, 1], zero for perfect predictions; AUC flips with the scores.
- Top-decile lift: all-equal scores give exactly 1; it never exceeds 1 / base rate;
  it does not depend on row order.
- The calibration table accounts for every row and every won lead.
- The baseline matches Odoo's loop-and-dict computation and stays in [0.0001, 0.9999].
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revloop.engine.predictive.baseline import LAPLACE, NaiveBayesBaseline
from revloop.engine.predictive.metrics import (
    auc,
    brier,
    calibration_error,
    calibration_table,
    measure,
    top_lift,
)

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def outcomes(draw: st.DrawFn, min_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(min_value=min_size, max_value=300))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    # Few distinct scores on purpose: ties are where ranking metrics go wrong.
    grid = draw(st.sampled_from([None, 3, 10]))
    p = draw(st.lists(probabilities, min_size=n, max_size=n))
    scores = np.array(p)
    if grid is not None:
        scores = np.round(scores * grid) / grid
    return np.array(y, dtype=np.int8), scores


@PROPERTY
@given(outcomes())
def test_brier_is_a_bounded_squared_error(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = data
    assert 0.0 <= brier(y, p) <= 1.0
    assert brier(y, y.astype(float)) == 0.0
    assert brier(y, 1.0 - y) == 1.0


@PROPERTY
@given(outcomes(min_size=2))
def test_auc_flips_with_the_scores_and_is_undefined_for_one_class(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    y, p = data
    score = auc(y, p)
    if y.min() == y.max():
        assert score is None
        return
    assert score is not None
    # Reversed by rank rather than as 1 - p, which merges scores closer than float spacing.
    _, rank = np.unique(p, return_inverse=True)
    top = max(int(rank.max()), 1)
    flipped = auc(y, (top - rank) / top)
    assert flipped is not None
    assert score + flipped == pytest.approx(1.0)
    assert auc(y, y.astype(float)) == 1.0


@PROPERTY
@given(outcomes())
def test_top_decile_lift_bounds_and_ties(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = data
    lift = top_lift(y, p)
    if y.sum() == 0:
        assert lift is None
        return
    assert lift is not None
    base_rate = y.mean()
    assert 0.0 <= lift <= 1.0 / base_rate + 1e-9
    assert top_lift(y, np.full(y.size, 0.3)) == pytest.approx(1.0)
    order = np.random.default_rng(0).permutation(y.size)
    assert top_lift(y[order], p[order]) == pytest.approx(lift)


def test_top_decile_lift_of_a_perfect_ranking() -> None:
    y = np.array([1] * 5 + [0] * 95, dtype=np.int8)
    p = np.linspace(1.0, 0.0, 100)
    # The top 10 rows hold all 5 wins: a won rate of 0.5 against 0.05 overall.
    assert top_lift(y, p) == pytest.approx(10.0)


@PROPERTY
@given(outcomes())
def test_calibration_table_accounts_for_every_row(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = data
    table = calibration_table(y, p)
    assert len(table) == 10
    assert sum(b.count for b in table) == y.size
    won = sum(b.count * b.observed for b in table if b.observed is not None)
    assert won == pytest.approx(y.sum())
    for b in table:
        if b.count == 0:
            assert b.predicted is None
            assert b.observed is None
            continue
        assert b.predicted is not None
        assert b.observed is not None
        assert b.lower - 1e-12 <= b.predicted <= b.upper + 1e-12
        assert 0.0 <= b.observed <= 1.0
    assert 0.0 <= calibration_error(table) <= 1.0


def test_measure_rejects_what_is_not_a_probability() -> None:
    with pytest.raises(ValueError, match="probabilities"):
        measure([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match="only 0 and 1"):
        measure([0, 2], [0.5, 0.5])
    with pytest.raises(ValueError, match="no rows"):
        measure([], [])


# -- the Odoo-style baseline ---------------------------------------------------------


def odoo_probability(rows: list[dict[str, str | None]], won: list[int], lead: dict) -> float:
    """Odoo's computation written as Odoo writes it: dicts, loops and a product."""
    frequencies: dict[str, dict[str, dict[str, float]]] = {}
    for row, outcome in zip(rows, won, strict=True):
        for field, value in row.items():
            if value is None:
                continue
            counts = frequencies.setdefault(field, {}).setdefault(value, {"won": 0, "lost": 0})
            counts["won" if outcome else "lost"] += 1
    for values in frequencies.values():
        for counts in values.values():
            counts["won"] += LAPLACE
            counts["lost"] += LAPLACE
    team_won, team_lost = sum(won) + LAPLACE, len(won) - sum(won) + LAPLACE
    s_won, s_lost = team_won / (team_won + team_lost), team_lost / (team_won + team_lost)
    for field, value in lead.items():
        field_counts = frequencies.get(field, {})
        if value is None or value not in field_counts:
            continue
        won_total = sum(c["won"] for c in field_counts.values())
        lost_total = sum(c["lost"] for c in field_counts.values())
        s_won *= field_counts[value]["won"] / won_total
        s_lost *= field_counts[value]["lost"] / lost_total
    probability = s_won / (s_won + s_lost)
    return min(max(round(100 * probability, 2), 0.01), 99.99) / 100


category = st.sampled_from([None, "a", "b", "c", "d"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(category, category, category, st.integers(0, 1)), min_size=2, max_size=60),
    st.lists(st.tuples(category, category, category), min_size=1, max_size=10),
)
def test_baseline_is_odoos_naive_bayes(
    training: list[tuple[str | None, str | None, str | None, int]],
    leads: list[tuple[str | None, str | None, str | None]],
) -> None:
    names = ("country", "source", "persona")
    rows = [dict(zip(names, t[:3], strict=True)) for t in training]
    won = [t[3] for t in training]
    design = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String))
    model = NaiveBayesBaseline.fit(design, np.array(won, dtype=np.int8))
    scored = pl.DataFrame(
        [dict(zip(names, lead, strict=True)) for lead in leads],
        schema=dict.fromkeys(names, pl.String),
    )
    got = model.predict_proba(scored)
    want = [odoo_probability(rows, won, dict(zip(names, lead, strict=True))) for lead in leads]
    # Both sides round to four places: a value on the half can land one unit apart.
    assert got == pytest.approx(want, abs=1.5e-4)
    assert ((got >= 0.0001) & (got <= 0.9999)).all()


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False) | st.none(),
            st.sampled_from(["x", "y", None]),
            st.integers(0, 1),
        ),
        min_size=2,
        max_size=200,
    )
)
def test_baseline_probabilities_stay_in_range_with_numbers(
    rows: list[tuple[float | None, str | None, int]],
) -> None:
    design = pl.DataFrame(
        {"amount": [r[0] for r in rows], "tag": [r[1] for r in rows]},
        schema={"amount": pl.Float64, "tag": pl.String},
    )
    model = NaiveBayesBaseline.fit(design, np.array([r[2] for r in rows], dtype=np.int8))
    p = model.predict_proba(design)
    assert p.shape == (len(rows),)
    assert np.isfinite(p).all()
    assert ((p >= 0.0001) & (p <= 0.9999)).all()


def test_baseline_skips_unset_and_unseen_values() -> None:
    design = pl.DataFrame({"source": ["web", "web", "event", "event"]})
    model = NaiveBayesBaseline.fit(design, np.array([1, 0, 0, 0], dtype=np.int8))
    unknown = pl.DataFrame({"source": [None, "radio"]}, schema={"source": pl.String})
    prior = (1 + LAPLACE) / (4 + 2 * LAPLACE)
    assert model.predict_proba(unknown) == pytest.approx([prior, prior], abs=1e-4)
    assert not math.isnan(model.prior_log_odds)
