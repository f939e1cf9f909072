"""Shapley values: a hand-computed 3-player game, efficiency, symmetry, both methods agree."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.attribution import (
    Journeys,
    shapley,
    shapley_from_worth,
    worth_from_coalition_weights,
)

# Journeys by channel set: {A} 1 conversion, {A, B} 2, {B, C} 3, {A, B, C} 6 (12 in all).
# v(S) = conversions of journeys whose channels all lie in S:
#   v() = 0, v(A) = 1, v(B) = 0, v(C) = 0, v(AB) = 1 + 2 = 3, v(AC) = 1, v(BC) = 3, v(ABC) = 12
# Marginal contributions in each of the 6 orders (A, B, C):
#   A B C: 1, 2, 9     A C B: 1, 11, 0    B A C: 3, 0, 9
#   B C A: 9, 0, 3     C A B: 1, 11, 0    C B A: 9, 3, 0
# Shapley = mean: A 24/6 = 4, B 27/6 = 4.5, C 21/6 = 3.5 (sum 12).
# Same by the equal-split form: A 1 + 2/2 + 6/3 = 4, B 2/2 + 3/2 + 6/3 = 4.5, C 3/2 + 6/3 = 3.5.
HAND = Journeys.from_paths(
    [["A"], ["B", "A", "B"], ["C", "B"], ["A", "C", "B"]],
    conversions=[1, 2, 3, 6],
    value=[10, 20, 30, 60],
    nulls=[5, 5, 5, 5],
)


def test_hand_computed_three_player_game() -> None:
    result = shapley(HAND)
    assert result.conversions_by_channel() == pytest.approx({"A": 4, "B": 4.5, "C": 3.5})
    assert result.value_by_channel() == pytest.approx({"A": 40, "B": 45, "C": 35})
    assert result.method == "exact enumeration over 8 coalitions"


def test_the_worth_of_every_coalition() -> None:
    # bit 0 = A, bit 1 = B, bit 2 = C; weights binned by each journey's channel set
    weights = np.zeros(8)
    weights[0b001] = 1
    weights[0b011] = 2
    weights[0b110] = 3
    weights[0b111] = 6
    worth = worth_from_coalition_weights(weights)
    #                        -  A  B  AB C  AC BC ABC
    assert worth.tolist() == [0, 1, 0, 3, 0, 1, 3, 12]
    assert shapley_from_worth(worth) == pytest.approx([4, 4.5, 3.5])


def test_glove_game() -> None:
    # One left glove (player 0), two right gloves (1, 2); a pair is worth 1. The textbook
    # answer: left 2/3, each right 1/6.
    worth = np.array([0, 0, 0, 1, 0, 1, 0, 1], dtype=float)
    assert shapley_from_worth(worth) == pytest.approx([2 / 3, 1 / 6, 1 / 6])


def test_closed_form_beyond_the_enumeration_limit() -> None:
    result = shapley(HAND, max_exact_channels=2)
    assert result.conversions_by_channel() == pytest.approx({"A": 4, "B": 4.5, "C": 3.5})
    assert result.method.startswith("exact closed form")


def test_channels_only_in_non_converting_journeys_get_nothing() -> None:
    journeys = Journeys.from_paths([["A", "B"], ["Z"]], conversions=[1, 0], nulls=[0, 9])
    assert shapley(journeys).conversions_by_channel() == pytest.approx(
        {"A": 0.5, "B": 0.5, "Z": 0.0}
    )


def test_twenty_channels_use_the_closed_form() -> None:
    labels = [f"c{i:02d}" for i in range(20)]
    journeys = Journeys.from_paths([labels[:10], labels[10:]], conversions=[1, 3])
    result = shapley(journeys)
    assert result.method.startswith("exact closed form")
    assert result.conversions_by_channel()["c00"] == pytest.approx(0.1)
    assert result.conversions_by_channel()["c19"] == pytest.approx(0.3)


@st.composite
def random_journeys(draw: st.DrawFn) -> Journeys:
    n_paths = draw(st.integers(1, 10))
    paths = [
        draw(st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=6)) for _ in range(n_paths)
    ]
    amount = st.floats(0, 100, allow_nan=False, allow_infinity=False)
    return Journeys.from_paths(
        paths, conversions=[draw(amount) for _ in paths], value=[draw(amount) for _ in paths]
    )


@settings(max_examples=80, deadline=None)
@given(journeys=random_journeys())
def test_efficiency_and_agreement_of_both_methods(journeys: Journeys) -> None:
    enumerated = shapley(journeys)
    closed = shapley(journeys, max_exact_channels=0)
    assert enumerated.total_conversions == pytest.approx(journeys.total_conversions)
    assert enumerated.total_value == pytest.approx(journeys.total_value)
    assert enumerated.conversions == pytest.approx(closed.conversions, abs=1e-9)
    assert enumerated.value == pytest.approx(closed.value, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(2, 6),
    data=st.data(),
)
def test_symmetric_players_get_equal_values(n: int, data: st.DataObject) -> None:
    # Any game where swapping players 0 and 1 leaves every coalition's worth unchanged.
    weights = np.array(
        data.draw(st.lists(st.floats(0, 10), min_size=1 << n, max_size=1 << n)), dtype=float
    )
    masks = np.arange(1 << n)
    bit0, bit1 = masks & 1, (masks >> 1) & 1
    swapped = (masks & ~0b11) | (bit0 << 1) | bit1
    worth = worth_from_coalition_weights(weights + weights[swapped])
    worth -= worth[0]  # v(empty) = 0
    values = shapley_from_worth(worth)
    assert values[0] == pytest.approx(values[1], abs=1e-9)
    assert values.sum() == pytest.approx(worth[-1], abs=1e-9)  # efficiency for any game
