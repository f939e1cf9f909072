"""Campaign lift over a control group: the maths, checked by hand and against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.stats.contingency import relative_risk

from revloop.engine.analytics.lift import (
    LiftInputError,
    OutcomeError,
    compare_groups,
    matched_lift,
    mean_lift,
    parse_outcome,
    rate_lift,
    wilson_interval,
)

# Rates -------------------------------------------------------------------------------


def test_a_rate_lift_worked_by_hand() -> None:
    # 30 of 100 treated against 20 of 100 held out.
    lift = rate_lift(30, 100, 20, 100)
    assert lift.absolute == pytest.approx(0.10)
    # Pooled rate 0.25: z = 0.1 / sqrt(0.25 * 0.75 * (1/100 + 1/100)) = 1.63299.
    assert lift.p_value == pytest.approx(2 * stats.norm.sf(0.1 / math.sqrt(0.00375)))
    assert lift.p_value == pytest.approx(0.10247, abs=1e-5)
    # Katz: ln 1.5 +- 1.96 * sqrt(1/30 - 1/100 + 1/20 - 1/100) = ln 1.5 +- 0.49325.
    assert lift.relative == pytest.approx(0.5)
    assert lift.relative_low == pytest.approx(1.5 / math.exp(0.493245) - 1, abs=1e-5)
    assert lift.relative_high == pytest.approx(1.5 * math.exp(0.493245) - 1, abs=1e-5)
    # Newcombe: Wilson (0.2189, 0.3958) and (0.1333, 0.2888) combined by hand.
    assert lift.absolute_low == pytest.approx(-0.0202, abs=1e-4)
    assert lift.absolute_high == pytest.approx(0.2167, abs=1e-4)
    assert not lift.warnings


def test_the_difference_interval_is_newcombes_published_example() -> None:
    # Newcombe (1998), example (a): 56/70 against 48/80, method 10: 0.0524 to 0.3339.
    lift = rate_lift(56, 70, 48, 80)
    assert lift.absolute == pytest.approx(0.2)
    assert (lift.absolute_low, lift.absolute_high) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_wilson_matches_its_textbook_values() -> None:
    assert wilson_interval(30, 100) == pytest.approx((0.2189, 0.3958), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)


@given(
    st.integers(1, 400),
    st.integers(1, 400),
    st.floats(0.01, 0.99),
    st.floats(0.01, 0.99),
)
@settings(max_examples=60, deadline=None)
def test_rate_lifts_agree_with_scipy(n1: int, n0: int, f1: float, f0: float) -> None:
    x1, x0 = max(1, min(n1 - 1, round(f1 * n1))), max(1, min(n0 - 1, round(f0 * n0)))
    if n1 < 2 or n0 < 2:
        return
    lift = rate_lift(x1, n1, x0, n0)
    # The two-proportion z-test is Pearson's chi-square on the 2x2 table.
    table = [[x1, n1 - x1], [x0, n0 - x0]]
    assert lift.p_value == pytest.approx(
        stats.chi2_contingency(table, correction=False).pvalue, rel=1e-6, abs=1e-12
    )
    # Katz's log interval is scipy's relative_risk interval.
    ci = relative_risk(x1, n1, x0, n0).confidence_interval(0.95)
    assert lift.relative_low == pytest.approx(ci.low - 1, rel=1e-9, abs=1e-12)
    assert lift.relative_high == pytest.approx(ci.high - 1, rel=1e-9, abs=1e-12)
    assert lift.absolute_low is not None
    assert lift.absolute_high is not None
    assert -1 <= lift.absolute_low <= lift.absolute <= lift.absolute_high <= 1


def test_a_zero_control_rate_has_no_relative_lift_and_says_why() -> None:
    lift = rate_lift(5, 100, 0, 100)
    assert lift.relative is None
    assert lift.relative_low is None
    assert lift.relative_reason == "the control rate is 0: a relative lift is undefined"
    assert lift.absolute == pytest.approx(0.05)
    assert lift.absolute_low is not None
    assert lift.absolute_low < 0.05 < (lift.absolute_high or 0)
    assert any("control: fewer than 5" in w for w in lift.warnings)


def test_no_events_anywhere_gives_no_test() -> None:
    lift = rate_lift(0, 50, 0, 50)
    assert lift.p_value is None
    assert lift.relative is None
    assert any("no test possible" in w for w in lift.warnings)


def test_tiny_groups_are_flagged() -> None:
    lift = rate_lift(3, 10, 2, 12, group="A", control="B")
    assert "A: only 10 rows, the interval is rough" in lift.warnings
    assert "B: only 12 rows, the interval is rough" in lift.warnings


# Means ---------------------------------------------------------------------------------


def test_a_mean_lift_is_welchs_t_test() -> None:
    rng = np.random.default_rng(3)
    treated = rng.gamma(2.0, 30.0, 80)
    held_out = rng.gamma(2.0, 20.0, 120)
    lift = mean_lift(
        treated.mean(),
        treated.var(ddof=1),
        treated.size,
        control_mean=held_out.mean(),
        control_variance=held_out.var(ddof=1),
        control_n=held_out.size,
    )
    welch = stats.ttest_ind(treated, held_out, equal_var=False)
    interval = welch.confidence_interval(0.95)
    assert lift.p_value == pytest.approx(welch.pvalue, rel=1e-9)
    assert lift.absolute == pytest.approx(treated.mean() - held_out.mean())
    assert (lift.absolute_low, lift.absolute_high) == pytest.approx(
        (interval.low, interval.high), rel=1e-9
    )
    ratio = treated.mean() / held_out.mean()
    se_log = math.sqrt(
        treated.var(ddof=1) / (treated.size * treated.mean() ** 2)
        + held_out.var(ddof=1) / (held_out.size * held_out.mean() ** 2)
    )
    assert lift.relative == pytest.approx(ratio - 1)
    assert lift.relative_low == pytest.approx(ratio * math.exp(-1.959964 * se_log) - 1, rel=1e-6)
    assert lift.test == "Welch t-test"


def test_a_zero_control_mean_has_no_relative_lift() -> None:
    lift = mean_lift(2.0, 1.0, 40, control_mean=0.0, control_variance=0.0, control_n=40)
    assert lift.relative is None
    assert lift.relative_reason == "the control mean is 0: a relative lift is undefined"
    assert lift.p_value is not None


# Groups ----------------------------------------------------------------------------------


def test_compare_groups_counts_each_group_and_lifts_over_the_control() -> None:
    groups = ["hold"] * 4 + ["mail"] * 4 + ["sms"] * 2
    visit = np.array([0, 0, 1, np.nan, 1, 1, 0, 1, 1, 1], dtype=float)
    spend = np.array([0, 0, 10, 0, 5, 15, 0, 20, 1, 3], dtype=float)
    report = compare_groups(groups, {"visit": visit, "spend": spend}, "hold")
    assert report.groups == ("hold", "mail", "sms")
    assert report.sizes == {"hold": 4, "mail": 4, "sms": 2}
    visits = report.outcome("visit")
    assert visits.kind == "rate"
    hold = visits.group("hold")
    assert (hold.numerator, hold.denominator, hold.missing) == (1, 3, 1)
    assert hold.rate == pytest.approx(1 / 3)
    assert visits.lift("mail").absolute == pytest.approx(0.75 - 1 / 3)
    spends = report.outcome("spend")
    assert spends.kind == "mean"
    assert spends.group("mail").mean == pytest.approx(10.0)
    assert spends.group("mail").sd == pytest.approx(np.std([5, 15, 0, 20], ddof=1))
    assert spends.lift("mail").relative == pytest.approx(10.0 / 2.5 - 1)
    assert [lift.group for lift in spends.lifts] == ["mail", "sms"]
    as_json = report.as_dict()
    assert as_json["design"] == "randomised"
    assert as_json["outcomes"][0]["groups"][0]["numerator"] == 1


def test_a_missing_control_names_the_groups_found() -> None:
    with pytest.raises(LiftInputError, match=r"control group 'none' \(groups: 'a', 'b'\)"):
        compare_groups(["a", "b"], {"x": np.array([1.0, 0.0])}, "none")


@st.composite
def experiments(draw: st.DrawFn) -> tuple[list[str], np.ndarray, np.ndarray]:
    size = draw(st.integers(6, 60))
    groups = draw(st.lists(st.sampled_from(["c", "t1", "t2"]), min_size=size, max_size=size))
    groups[:3] = ["c", "t1", "t2"]
    visits = draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=size, max_size=size))
    spend = draw(st.lists(st.floats(0, 500, allow_nan=False), min_size=size, max_size=size))
    return groups, np.array(visits), np.array(spend)


@given(experiments(), st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_row_order_and_group_names_do_not_change_the_answer(
    experiment: tuple[list[str], np.ndarray, np.ndarray], random: object
) -> None:
    groups, visits, spend = experiment
    before = compare_groups(groups, {"visit": visits, "spend": spend}, "c").as_dict()

    order = list(range(len(groups)))
    random.shuffle(order)  # type: ignore[attr-defined]
    renamed = {"c": "zz control", "t1": "b arm", "t2": "a arm"}
    after = compare_groups(
        [renamed[groups[i]] for i in order],
        {"visit": visits[order], "spend": spend[order]},
        "zz control",
    ).as_dict()

    back = {new: old for old, new in renamed.items()}

    def named(found: dict[str, object]) -> dict[str, object]:
        rows = {}
        for outcome in found["outcomes"]:  # type: ignore[attr-defined]
            for group in outcome["groups"]:
                rows[(outcome["outcome"], back.get(group["group"], group["group"]))] = {
                    k: v for k, v in group.items() if k != "group"
                }
            for lift in outcome["lifts"]:
                key = (outcome["outcome"], "lift", back.get(lift["group"], lift["group"]))
                rows[key] = {
                    k: v for k, v in lift.items() if k not in ("group", "control", "warnings")
                }
        return rows

    left, right = named(before), named(after)
    assert left.keys() == right.keys()
    for key in left:
        for field, value in left[key].items():  # type: ignore[attr-defined]
            other = right[key][field]  # type: ignore[index]
            if isinstance(value, float):
                assert other == pytest.approx(value, rel=1e-9, abs=1e-9), (key, field)
            else:
                assert other == value, (key, field)


# Reading outcome columns -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kind", "expected"),
    [
        (["yes", "No", "", "YES"], "rate", [1, 0, None, 1]),
        (["true", "false", "T", "f"], "rate", [1, 0, 1, 0]),
        (["1", "0", "1.0", "NA"], "rate", [1, 0, 1, None]),
        (["29.99", "$1,200.50", "0", "(5)"], "mean", [29.99, 1200.5, 0, -5]),
    ],
)
def test_outcome_columns_read_as_rates_or_means(
    values: list[str], kind: str, expected: list[float | None]
) -> None:
    found_kind, found = parse_outcome(values, "x")
    assert found_kind == kind
    assert [None if math.isnan(v) else v for v in found] == pytest.approx(expected)


def test_a_bad_outcome_value_names_its_row_and_column() -> None:
    with pytest.raises(OutcomeError, match=r"row 4, spend: neither a number .* \('lots'\)"):
        parse_outcome(["1", "2", "lots"], "spend")
    with pytest.raises(OutcomeError, match=r"row 2, visit: a yes/no value in a column"):
        parse_outcome(["yes", "7"], "visit")


# Observational ---------------------------------------------------------------------------------


def test_matching_on_strata_removes_the_confounding_it_captures() -> None:
    # Paid-search people convert at 30 %, others at 5 %, touched or not; the campaign
    # mostly touched paid-search people. Raw comparison: a big "lift". Within strata: none.
    strata = ["paid"] * 1000 + ["other"] * 1000
    touched = np.array([True] * 800 + [False] * 200 + [True] * 100 + [False] * 900)
    values = np.array(
        [1.0] * 240
        + [0.0] * 560
        + [1.0] * 60
        + [0.0] * 140
        + [1.0] * 5
        + [0.0] * 95
        + [1.0] * 45
        + [0.0] * 855
    )
    raw = values[touched].mean() - values[~touched].mean()
    assert raw > 0.15
    found = matched_lift(touched, strata, values, outcome="win")
    assert found.absolute == pytest.approx(0.0, abs=1e-12)
    assert found.relative == pytest.approx(0.0, abs=1e-12)
    assert found.absolute_low is not None
    assert found.absolute_low < 0 < (found.absolute_high or 0)
    assert (found.matched, found.unmatched, found.strata) == (900, 0, 2)
    assert found.touched == pytest.approx(values[touched].mean())
    # The untouched figure is reweighted to the touched people's mix: 8/9 paid, 1/9 other.
    assert found.untouched == pytest.approx(0.3 * 8 / 9 + 0.05 / 9)


def test_touched_people_with_no_untouched_match_are_left_out_and_counted() -> None:
    strata = np.array(["a", "a", "a", "b", "b"])
    touched = np.array([True, False, False, True, True])
    values = np.array([1.0, 0.0, 1.0, 1.0, 1.0])
    found = matched_lift(touched, strata, values)
    assert (found.matched, found.unmatched, found.strata) == (1, 2, 1)
    assert found.touched == 1.0
    assert found.untouched == 0.5
    assert "2 touched people had no untouched match" in found.warnings


def test_nothing_to_match_gives_no_figures() -> None:
    found = matched_lift(np.array([True, False]), ["a", "b"], np.array([1.0, 0.0]))
    assert found.absolute is None
    assert found.relative_reason == "no touched person has an untouched one in the same stratum"


# Coverage: over repeated random experiments the 95 % intervals hold the truth ~95 % of the time.


def test_rate_intervals_cover_the_true_lift_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(11)
    p1, p0, n = 0.151, 0.106, 800
    covered_absolute = covered_relative = 0
    trials = 600
    for _ in range(trials):
        lift = rate_lift(int(rng.binomial(n, p1)), n, int(rng.binomial(n, p0)), n)
        covered_absolute += (lift.absolute_low or 0) <= p1 - p0 <= (lift.absolute_high or 0)
        covered_relative += (lift.relative_low or 0) <= p1 / p0 - 1 <= (lift.relative_high or 0)
    assert 0.925 <= covered_absolute / trials <= 0.975
    assert 0.925 <= covered_relative / trials <= 0.975


def test_mean_intervals_cover_the_true_lift_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(12)
    covered_absolute = covered_relative = 0
    trials = 600
    for _ in range(trials):
        treated = rng.gamma(2.0, 60.0, 300)  # mean 120
        held_out = rng.gamma(2.0, 50.0, 400)  # mean 100
        lift = mean_lift(
            treated.mean(),
            treated.var(ddof=1),
            treated.size,
            control_mean=held_out.mean(),
            control_variance=held_out.var(ddof=1),
            control_n=held_out.size,
        )
        covered_absolute += (lift.absolute_low or 0) <= 20 <= (lift.absolute_high or 0)
        covered_relative += (lift.relative_low or 0) <= 0.2 <= (lift.relative_high or 0)
    assert 0.925 <= covered_absolute / trials <= 0.975
    assert 0.925 <= covered_relative / trials <= 0.975


@given(
    st.lists(
        st.tuples(st.booleans(), st.sampled_from("abc"), st.floats(0, 100, allow_nan=False)),
        min_size=4,
        max_size=80,
    ),
    st.randoms(use_true_random=False),
)
@settings(max_examples=60, deadline=None)
def test_the_matched_comparison_ignores_row_order_and_stratum_names(
    rows: list[tuple[bool, str, float]], random: object
) -> None:
    def run(given: list[tuple[bool, str, float]]) -> dict[str, object]:
        return matched_lift(
            np.array([r[0] for r in given]),
            [r[1] for r in given],
            np.array([r[2] for r in given]),
            kind="mean",
        ).as_dict()

    shuffled = list(rows)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    renamed = [(t, {"a": "zeta", "b": "alpha", "c": "mid"}[s], v) for t, s, v in shuffled]
    first, second = run(rows), run(renamed)
    assert first.keys() == second.keys()
    for key, value in first.items():
        if isinstance(value, float):
            assert second[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
        else:
            assert second[key] == value, key


_WORDS = st.sampled_from(["yes", "No", "TRUE", "false", "1", "0", "y", "N", "t", "F", ""])


@given(st.lists(_WORDS, min_size=1, max_size=40))
def test_any_mix_of_binary_words_reads_as_a_rate_of_zeros_and_ones(words: list[str]) -> None:
    kind, values = parse_outcome(words, "x")
    assert kind == "rate"
    for word, value in zip(words, values, strict=True):
        if word == "":
            assert math.isnan(value)
        else:
            assert value == (1.0 if word.lower() in ("yes", "true", "1", "y", "t") else 0.0)


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 2)), min_size=1))
def test_numbers_read_back_as_written(numbers: list[float]) -> None:
    kind, values = parse_outcome([f"{v:,.2f}" for v in numbers], "x")
    assert list(values) == pytest.approx(numbers)
    assert kind == ("rate" if set(numbers) <= {0.0, 1.0} else "mean")
