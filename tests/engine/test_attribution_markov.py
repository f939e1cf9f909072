"""Markov-chain attribution: a hand-solved chain, higher orders, and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.attribution import Journeys, RepeatPolicy, fit_chain, markov

# Five paths through three channels (conversions, non-conversions, conversion value):
#   A > B       1, 1, 10
#   A > C       1, 0, 20
#   B           0, 1,  0
#   C           1, 1, 40
#   B > A > C   1, 0, 60
# 7 journeys, 4 conversions worth 130.
#
# Transition counts (a path adds conversions + nulls to each move):
#   start: A 3, B 2, C 2            -> A 3/7, B 2/7, C 2/7
#   A:     B 2, C 1 + 1             -> B 1/2, C 1/2
#   B:     conv 1, null 1 + 1, A 1  -> conv 1/4, null 1/2, A 1/4
#   C:     conv 1 + 1 + 1, null 1   -> conv 3/4, null 1/4
#
# P(conversion) from each state, x = Q x + b:
#   x_C is 3/4,  x_B is 1/4 + x_A/4,  x_A is x_B/2 + x_C/2
#   => x_B = 1/4 + x_B/8 + 3/32 => x_B = 11/28, x_A = 4/7
#   P = 3/7 * 4/7 + 2/7 * 11/28 + 2/7 * 3/4 = (48 + 22 + 42) / 196 = 4/7  (= 4 of 7 journeys)
# Without A (start -> A and B -> A lead nowhere): x_B = 1/4, P = 2/7 * 1/4 + 2/7 * 3/4 = 2/7
#   -> removal effect 1 - (2/7) / (4/7) = 1/2
# Without B: x_A = 3/8, P = 3/7 * 3/8 + 2/7 * 3/4 = 21/56 = 3/8 -> effect 1 - 21/32 = 11/32
# Without C: x_B = 1/4 + x_A/4, x_A = x_B/2 => x_B = 2/7, x_A = 1/7
#   P = 3/7 * 1/7 + 2/7 * 2/7 = 1/7 -> effect 1 - 1/4 = 3/4
# Effects sum to 16/32 + 11/32 + 24/32 = 51/32, so the 4 conversions go
#   A 4 * 16/51 = 64/51, B 44/51, C 96/51.
#
# Value: a state's conversions carry the mean value converted from it: B 10 (from A > B),
# C 120 / 3 = 40. Expected value y = Q y + r with r = P(conv) * mean value:
#   r_B = 1/4 * 10 = 5/2, r_C = 3/4 * 40 = 30
#   y_C = 30; y_B = 5/2 + y_A/4; y_A = y_B/2 + 15 => y_B = 50/7, y_A = 130/7
#   EV = 3/7 * 130/7 + 2/7 * 50/7 + 2/7 * 30 = 130/7  (= 130 over 7 journeys)
# Without A: y_B = 5/2, EV = 2/7 * 5/2 + 2/7 * 30 = 65/7        -> effect 1/2
# Without B: y_A = 15,  EV = 3/7 * 15 + 2/7 * 30 = 15           -> effect 1 - 105/130 = 5/26
# Without C: y_B = 5/2 + y_A/4, y_A = y_B/2 => y_B = 20/7, y_A = 10/7
#   EV = 3/7 * 10/7 + 2/7 * 20/7 = 10/7                         -> effect 12/13
# Value effects sum to (13 + 5 + 24)/26 = 42/26: A 130 * 13/42, B 130 * 5/42, C 130 * 24/42.
HAND = Journeys.from_paths(
    [["A", "B"], ["A", "C"], ["B"], ["C"], ["B", "A", "C"]],
    conversions=[1, 1, 0, 1, 1],
    nulls=[1, 0, 1, 1, 0],
    value=[10, 20, 0, 40, 60],
)


def test_hand_solved_three_channel_chain() -> None:
    result = markov(HAND)
    assert result.extra_by_channel("removal_effect_conversions") == pytest.approx(
        {"A": 1 / 2, "B": 11 / 32, "C": 3 / 4}
    )
    assert result.conversions_by_channel() == pytest.approx(
        {"A": 64 / 51, "B": 44 / 51, "C": 96 / 51}
    )
    assert result.extra_by_channel("removal_effect_value") == pytest.approx(
        {"A": 1 / 2, "B": 5 / 26, "C": 12 / 13}
    )
    assert result.value_by_channel() == pytest.approx(
        {"A": 130 * 13 / 42, "B": 130 * 5 / 42, "C": 130 * 24 / 42}
    )
    assert "P(conversion) 0.571429" in result.method


def test_hand_solved_transition_matrix() -> None:
    matrix = markov(HAND).transition_matrix
    assert matrix is not None
    assert matrix.as_dict() == pytest.approx(
        {
            ("(start)", "A"): 3 / 7,
            ("(start)", "B"): 2 / 7,
            ("(start)", "C"): 2 / 7,
            ("A", "B"): 1 / 2,
            ("A", "C"): 1 / 2,
            ("B", "A"): 1 / 4,
            ("B", "(conversion)"): 1 / 4,
            ("B", "(null)"): 1 / 2,
            ("C", "(conversion)"): 3 / 4,
            ("C", "(null)"): 1 / 4,
        }
    )


def test_second_order_sees_what_first_order_cannot() -> None:
    # A > C always converts and B > C never does. At order 1 both reach the same state C
    # (P(conv) 1/2), so A and B look alike: removing either halves P -> effects 1/2, 1/2,
    # and C (on every path) 1 -> credit .25 / .25 / .5. At order 2 the states (A, C) and
    # (B, C) keep them apart: removing B changes nothing (effect 0), removing A or C
    # removes every conversion (effect 1) -> credit .5 / 0 / .5.
    journeys = Journeys.from_paths([["A", "C"], ["B", "C"]], conversions=[1, 0], nulls=[0, 1])
    first = markov(journeys, order=1).conversions_by_channel()
    second = markov(journeys, order=2).conversions_by_channel()
    assert first == pytest.approx({"A": 0.25, "B": 0.25, "C": 0.5})
    assert second == pytest.approx({"A": 0.5, "B": 0.0, "C": 0.5})


def test_third_order_states_are_channel_triples() -> None:
    # a > b > c > d walks (a, b, c) -> (b, c, d); a path shorter than the order is one
    # shorter state. Removing any channel kills every state containing it.
    journeys = Journeys.from_paths([["a", "b", "c", "d"], ["a", "b"]], [1, 0], nulls=[0, 1])
    result = markov(journeys, order=3)
    assert result.transition_matrix is not None
    assert result.transition_matrix.as_dict() == pytest.approx(
        {
            ("(start)", "a > b > c"): 1 / 2,
            ("(start)", "a > b"): 1 / 2,
            ("a > b > c", "b > c > d"): 1.0,
            ("b > c > d", "(conversion)"): 1.0,
            ("a > b", "(null)"): 1.0,
        }
    )
    # Every channel lies on the only converting walk, so each has effect 1: equal credit.
    assert result.conversions_by_channel() == pytest.approx(dict.fromkeys("abcd", 0.25))


def test_repeat_policies() -> None:
    journeys = Journeys.from_paths([["A", "A", "B"]], [1])
    collapse = markov(journeys, order=2, repeats="collapse").transition_matrix
    keep = markov(journeys, order=1, repeats="keep").transition_matrix
    like_channelattribution = markov(journeys, order=2, repeats="channelattribution")
    assert collapse is not None
    assert keep is not None
    assert like_channelattribution.transition_matrix is not None
    # collapse: A > B is one state at order 2
    assert set(collapse.as_dict()) == {("(start)", "A > B"), ("A > B", "(conversion)")}
    # keep: A moves to itself
    assert keep.as_dict()[("A", "A")] == pytest.approx(1 / 2)
    # ChannelAttribution: windows (A, A), (A, B) from the raw touches
    assert set(like_channelattribution.transition_matrix.as_dict()) == {
        ("(start)", "A > A"),
        ("A > A", "A > B"),
        ("A > B", "(conversion)"),
    }


def test_without_non_converting_paths_every_walk_converts() -> None:
    journeys = Journeys.from_paths([["A", "B"], ["B"]], conversions=[2, 1])
    result = markov(journeys)
    # B is on every walk (effect 1), A on 2 of 3 (effect 2/3): 3 * (2/3) / (5/3) = 6/5 for A
    assert result.conversions_by_channel() == pytest.approx({"A": 6 / 5, "B": 9 / 5})


def test_no_conversions_gives_no_credit() -> None:
    result = markov(Journeys.from_paths([["A", "B"]], conversions=[0], nulls=[5]))
    assert result.total_conversions == 0
    assert result.conversions_by_channel() == {"A": 0.0, "B": 0.0}


def test_order_must_be_one_to_three() -> None:
    with pytest.raises(ValueError, match=r"order must be 1\.\.3"):
        markov(HAND, order=4)


@st.composite
def random_journeys(draw: st.DrawFn) -> Journeys:
    n_paths = draw(st.integers(1, 8))
    paths = [
        draw(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=6)) for _ in range(n_paths)
    ]
    count = st.integers(0, 5)
    conversions = [draw(count) for _ in paths]
    conversions[0] = max(conversions[0], 1)  # at least one conversion
    return Journeys.from_paths(
        paths,
        conversions=conversions,
        nulls=[draw(count) for _ in paths],
        value=[c * draw(st.floats(0, 50)) for c in conversions],
    )


@settings(max_examples=40, deadline=None)
@given(
    journeys=random_journeys(),
    order=st.integers(1, 3),
    repeats=st.sampled_from(["collapse", "keep", "channelattribution"]),
)
def test_invariants_at_every_order(journeys: Journeys, order: int, repeats: RepeatPolicy) -> None:
    result = markov(journeys, order=order, repeats=repeats)
    # credit adds up to what happened
    assert result.total_conversions == pytest.approx(journeys.total_conversions)
    assert result.total_value == pytest.approx(journeys.total_value)
    effects = result.extras["removal_effect_conversions"]
    assert ((effects >= 0) & (effects <= 1 + 1e-12)).all()
    # Maximum-likelihood chains conserve flow: P(conversion) from start equals the
    # observed conversion rate, whatever the order.
    chain = fit_chain(journeys, order=order, repeats=repeats)
    p_conversion, _ = chain.absorption()
    observed = journeys.total_conversions / (journeys.total_conversions + journeys.nulls.sum())
    assert p_conversion == pytest.approx(observed)
