"""Rule-based attribution models against hand-computed journeys, plus their invariants."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.attribution import (
    NO_STEP,
    AttributionResult,
    Journeys,
    first_touch,
    full_path,
    inverse_j,
    j_shaped,
    last_touch,
    linear,
    time_decay,
    u_shaped,
    w_shaped,
)

Model = Callable[[Journeys], AttributionResult]

# Four journeys, written out so every figure below can be checked by hand:
#   J1  A > B > E > C > D   1 conversion worth 100; lead created by B (step 1), opportunity
#                           by C (step 3); touched 21, 14, 7, 7 and 0 days before converting
#   J2  B                   2 conversions worth 50 in total; both milestones on its only touch
#   J3  C > A               1 conversion worth 10; milestones unknown; 7 and 0 days before
#   J4  A > B > A           3 journeys that did not convert: never credited
HAND = Journeys.from_paths(
    [["A", "B", "E", "C", "D"], ["B"], ["C", "A"], ["A", "B", "A"]],
    conversions=[1, 2, 1, 0],
    value=[100, 50, 10, 0],
    nulls=[0, 0, 0, 3],
    ages_days=[[21, 14, 7, 7, 0], [0], [7, 0], [5, 3, 0]],
    lead_step=[1, 0, NO_STEP, NO_STEP],
    opportunity_step=[3, 0, NO_STEP, NO_STEP],
)

THIRD = 0.2 / 3  # a 20% "rest" share split over J1's three middle touches

# model -> {channel: (conversions, value)}, J1 + J2 + J3 term by term.
EXPECTED: dict[str, tuple[Model, dict[str, tuple[float, float]]]] = {
    # first: J1 -> A, J2 -> B, J3 -> C
    "first": (first_touch, {"A": (1, 100), "B": (2, 50), "C": (1, 10), "D": (0, 0), "E": (0, 0)}),
    # last: J1 -> D, J2 -> B, J3 -> A
    "last": (last_touch, {"A": (1, 10), "B": (2, 50), "C": (0, 0), "D": (1, 100), "E": (0, 0)}),
    # linear: J1 gives 1/5 to each touch (20 of value); J3 gives 1/2 to C and A (5 each)
    "linear": (
        linear,
        {
            "A": (0.2 + 0.5, 20 + 5),
            "B": (0.2 + 2, 20 + 50),
            "C": (0.2 + 0.5, 20 + 5),
            "D": (0.2, 20),
            "E": (0.2, 20),
        },
    ),
    # U: J1 A .4, D .4, B/E/C .2/3 each; J3 (two touches) .5 / .5
    "u_shaped": (
        u_shaped,
        {
            "A": (0.4 + 0.5, 40 + 5),
            "B": (THIRD + 2, 100 * THIRD + 50),
            "C": (THIRD + 0.5, 100 * THIRD + 5),
            "D": (0.4, 40),
            "E": (THIRD, 100 * THIRD),
        },
    ),
    # W on the opportunity: J1 A .3, C .3, D .3, B and E .05 each; J2 all roles on one touch;
    # J3 has no milestone: first .3 and last .3 with no rest touch, rescaled to .5 / .5
    "w_shaped": (
        w_shaped,
        {
            "A": (0.3 + 0.5, 30 + 5),
            "B": (0.05 + 2, 5 + 50),
            "C": (0.3 + 0.5, 30 + 5),
            "D": (0.3, 30),
            "E": (0.05, 5),
        },
    ),
    # full path: J1 A, B, C, D 22.5% each, E (the only other touch) 10%; J3 .5 / .5
    "full_path": (
        full_path,
        {
            "A": (0.225 + 0.5, 22.5 + 5),
            "B": (0.225 + 2, 22.5 + 50),
            "C": (0.225 + 0.5, 22.5 + 5),
            "D": (0.225, 22.5),
            "E": (0.1, 10),
        },
    ),
    # J: J1 A .2, D .6, middle .2/3 each; J3 20:60 rescaled -> C .25, A .75
    "j_shaped": (
        j_shaped,
        {
            "A": (0.2 + 0.75, 20 + 7.5),
            "B": (THIRD + 2, 100 * THIRD + 50),
            "C": (THIRD + 0.25, 100 * THIRD + 2.5),
            "D": (0.6, 60),
            "E": (THIRD, 100 * THIRD),
        },
    ),
    # inverse J: J1 A .6, D .2, middle .2/3 each; J3 -> C .75, A .25
    "inverse_j": (
        inverse_j,
        {
            "A": (0.6 + 0.25, 60 + 2.5),
            "B": (THIRD + 2, 100 * THIRD + 50),
            "C": (THIRD + 0.75, 100 * THIRD + 7.5),
            "D": (0.2, 20),
            "E": (THIRD, 100 * THIRD),
        },
    ),
    # time decay, half-life 7 days: J1 weights 1/8, 1/4, 1/2, 1/2, 1 (sum 19/8), so
    # A 1/19, B 2/19, E 4/19, C 4/19, D 8/19; J3 weights 1/2, 1 -> C 1/3, A 2/3
    "time_decay": (
        time_decay,
        {
            "A": (1 / 19 + 2 / 3, 100 / 19 + 20 / 3),
            "B": (2 / 19 + 2, 200 / 19 + 50),
            "C": (4 / 19 + 1 / 3, 400 / 19 + 10 / 3),
            "D": (8 / 19, 800 / 19),
            "E": (4 / 19, 400 / 19),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hand_computed_journeys(name: str) -> None:
    model, expected = EXPECTED[name]
    result = model(HAND)
    assert result.channels == ("A", "B", "C", "D", "E")
    for channel, (conversions, value) in expected.items():
        assert result.conversions_by_channel()[channel] == pytest.approx(conversions, abs=1e-12)
        assert result.value_by_channel()[channel] == pytest.approx(value, abs=1e-10)
    assert result.total_conversions == pytest.approx(4)
    assert result.total_value == pytest.approx(160)


def test_w_shaped_on_the_lead_milestone() -> None:
    # J1 A .3, B .3 (lead), D .3, E and C .05 each; J2 100% B; J3 no milestone: .5 / .5
    result = w_shaped(HAND, milestone="lead").conversions_by_channel()
    assert result == pytest.approx({"A": 0.8, "B": 2.3, "C": 0.55, "D": 0.3, "E": 0.05})


def _weights(model: Model, n: int, **markers: int) -> list[float]:
    """Per-position weights of one converting path whose touches are all different."""
    labels = [f"t{i}" for i in range(n)]
    journeys = Journeys.from_paths(
        [labels],
        [1.0],
        ages_days=[[float(n - 1 - i) for i in range(n)]],
        **{name: [step] for name, step in markers.items()},
    )
    by_label = model(journeys).conversions_by_channel()
    return [by_label[label] for label in labels]


_DAY_OLD = 2 ** (-1 / 7)

ONE_AND_TWO_TOUCHES: list[tuple[str, Model, dict[str, int], list[float], list[float]]] = [
    # name, model, milestone markers, weights of a one-touch path, of a two-touch path
    ("first", first_touch, {}, [1], [1, 0]),
    ("last", last_touch, {}, [1], [0, 1]),
    ("linear", linear, {}, [1], [0.5, 0.5]),
    ("u_shaped", u_shaped, {}, [1], [0.5, 0.5]),
    ("w_shaped, no milestone", w_shaped, {}, [1], [0.5, 0.5]),
    # milestone on the last touch: 30 first vs 30 + 30 last
    ("w_shaped, milestone last", w_shaped, {"opportunity_step": 0}, [1], [1 / 3, 2 / 3]),
    ("full_path, no milestones", full_path, {}, [1], [0.5, 0.5]),
    ("j_shaped", j_shaped, {}, [1], [0.25, 0.75]),
    ("inverse_j", inverse_j, {}, [1], [0.75, 0.25]),
    # one day apart at a 7-day half-life: 2**(-1/7) : 1, i.e. 0.4753 / 0.5247
    ("time_decay", time_decay, {}, [1], [_DAY_OLD / (1 + _DAY_OLD), 1 / (1 + _DAY_OLD)]),
]


@pytest.mark.parametrize(
    ("name", "model", "markers", "one", "two"),
    ONE_AND_TWO_TOUCHES,
    ids=[case[0] for case in ONE_AND_TWO_TOUCHES],
)
def test_one_and_two_touch_paths(
    name: str, model: Model, markers: dict[str, int], one: list[float], two: list[float]
) -> None:
    single_markers = dict.fromkeys(markers, 0)
    two_markers = dict.fromkeys(markers, 1)
    assert _weights(model, 1, **single_markers) == pytest.approx(one)
    assert _weights(model, 2, **two_markers) == pytest.approx(two)


def test_w_shaped_edge_cases() -> None:
    # three touches, milestone in the middle: every touch is an anchor, 1/3 each
    assert _weights(w_shaped, 3, opportunity_step=1) == pytest.approx([1 / 3] * 3)
    # no milestone: 30 / 10 / 30 rescaled to 3/7, 1/7, 3/7
    assert _weights(w_shaped, 3) == pytest.approx([3 / 7, 1 / 7, 3 / 7])
    # milestone on the first of four touches: 60 / 5 / 5 / 30
    assert _weights(w_shaped, 4, opportunity_step=0) == pytest.approx([0.6, 0.05, 0.05, 0.3])


def test_full_path_without_milestones_rescales_first_and_last() -> None:
    # 22.5 / (10 spread over 3) / 22.5, rescaled by 1/55 %
    middle = 0.1 / 3 / 0.55
    expected = [0.225 / 0.55, middle, middle, middle, 0.225 / 0.55]
    assert _weights(full_path, 5) == pytest.approx(expected)


def test_time_decay_needs_touch_times_and_a_positive_half_life() -> None:
    no_times = Journeys.from_paths([["A"]], [1])
    with pytest.raises(ValueError, match="ages_days"):
        time_decay(no_times)
    with pytest.raises(ValueError, match="half_life_days"):
        time_decay(HAND, half_life_days=0)


def test_time_decay_survives_very_old_touches() -> None:
    # 10,000 days at a 1-day half-life underflows 2**-age; weights are taken relative
    # to the youngest touch so the path still shares its conversion.
    journeys = Journeys.from_paths([["A", "B"]], [1], ages_days=[[10_001, 10_000]])
    result = time_decay(journeys, half_life_days=1).conversions_by_channel()
    assert result == pytest.approx({"A": 1 / 3, "B": 2 / 3})


ALL_MODELS: list[Model] = [model for model, _ in EXPECTED.values()]


@st.composite
def random_journeys(draw: st.DrawFn) -> Journeys:
    n_paths = draw(st.integers(1, 6))
    paths = [
        draw(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=7)) for _ in range(n_paths)
    ]
    amount = st.floats(0, 100, allow_nan=False, allow_infinity=False)
    ages = [
        sorted(draw(st.lists(amount, min_size=len(p), max_size=len(p))), reverse=True)
        for p in paths
    ]
    marker = [draw(st.integers(NO_STEP, len(p) - 1)) for p in paths]
    return Journeys.from_paths(
        paths,
        conversions=[draw(amount) for _ in paths],
        value=[draw(amount) for _ in paths],
        ages_days=ages,
        lead_step=[draw(st.integers(NO_STEP, len(p) - 1)) for p in paths],
        opportunity_step=marker,
    )


@settings(max_examples=60, deadline=None)
@given(journeys=random_journeys())
def test_each_path_shares_out_exactly_its_conversions(journeys: Journeys) -> None:
    for path in range(journeys.n_paths):
        start, stop = journeys.offsets[path], journeys.offsets[path + 1]
        one = Journeys(
            channels=journeys.channels,
            offsets=np.array([0, stop - start]),
            steps=journeys.steps[start:stop].copy(),
            conversions=journeys.conversions[path : path + 1].copy(),
            value=journeys.value[path : path + 1].copy(),
            nulls=journeys.nulls[path : path + 1].copy(),
            ages_days=None if journeys.ages_days is None else journeys.ages_days[start:stop].copy(),
            lead_step=None
            if journeys.lead_step is None
            else journeys.lead_step[path : path + 1].copy(),
            opportunity_step=(
                None
                if journeys.opportunity_step is None
                else journeys.opportunity_step[path : path + 1].copy()
            ),
        )
        for model in ALL_MODELS:
            result = model(one)
            assert result.total_conversions == pytest.approx(float(one.conversions[0]), abs=1e-9)
            assert result.total_value == pytest.approx(float(one.value[0]), abs=1e-9)
            assert np.all(result.conversions >= 0)
            assert np.all(result.value >= 0)


@settings(max_examples=60, deadline=None)
@given(journeys=random_journeys(), data=st.data())
def test_renaming_channels_moves_their_credit_with_them(
    journeys: Journeys, data: st.DataObject
) -> None:
    names = list(journeys.channels)
    renamed = data.draw(st.permutations(names))
    rename = dict(zip(names, renamed, strict=True))
    paths = [[rename[label] for label in journeys.path_labels(p)] for p in range(journeys.n_paths)]
    assert journeys.ages_days is not None
    relabelled = Journeys.from_paths(
        paths,
        journeys.conversions,
        journeys.value,
        ages_days=[
            journeys.ages_days[journeys.offsets[p] : journeys.offsets[p + 1]].tolist()
            for p in range(journeys.n_paths)
        ],
        lead_step=journeys.lead_step,
        opportunity_step=journeys.opportunity_step,
    )
    for model in ALL_MODELS:
        before, after = model(journeys), model(relabelled)
        for name in names:
            assert after.conversions_by_channel()[rename[name]] == pytest.approx(
                before.conversions_by_channel()[name], abs=1e-9
            )
            assert after.value_by_channel()[rename[name]] == pytest.approx(
                before.value_by_channel()[name], abs=1e-9
            )


def test_result_arrays_are_read_only() -> None:
    result = linear(HAND)
    with pytest.raises(ValueError, match="read-only"):
        result.conversions[0] = 99.0
