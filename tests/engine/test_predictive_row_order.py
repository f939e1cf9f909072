"""The evaluation holds on any row order; the calibrator never turns the ranking over.

The fixture is a phone campaign in date order, shaped like UCI's Bank Marketing:
for the first three quarters of the period few calls sell, then the rate jumps;
an interest-rate-like ``macro`` figure moves with the period, ``signal`` and
``job`` are honest lead attributes, and ``talk`` (the call's length, known only
once the call is over) is a trace of the outcome.

Calibration used to be fitted on folds cut in file order. On this file each fold
was a period, the learner's scores for a period it had not seen ran against the
outcomes, the Platt slope came out the wrong way and the evaluation reported AUC
0.13 (every prediction in one calibration bin) where the same rows shuffled gave
0.87. Checked here:

- sorted by date, by the outcome or by any column, or shuffled, the figures are
  the same (the rows are put in an order of their own before any fold is cut);
- the calibrator is monotone increasing even when fitted on scores that run
  against the outcome;
- with a time column a time-ordered holdout is reported beside the shuffled
  folds, and a wide disagreement is a warning;
- ``talk`` is flagged by its evidence (its name means nothing to revloop).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.predictive import ColumnStatus, evaluate_frame, format_evaluation
from revloop.engine.predictive.metrics import auc_standard_error
from revloop.engine.predictive.model import MIN_SLOPE, platt

ROWS = 3_000


def campaign(rows: int = ROWS, seed: int = 0) -> pl.DataFrame:
    """Calls in date order (see the module docstring)."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 1, rows))
    late = t >= 0.75
    macro = np.where(late, 1.0 - t, 5.0 - t)
    signal = rng.normal(size=rows)
    job = rng.choice(["admin", "technician", "retired", "student"], rows)
    logit = np.where(late, 0.5, -3.0) + 1.2 * signal + np.where(job == "retired", 0.8, 0.0)
    y = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    # The sale takes a long call; some calls that sold nothing ended at once.
    talk = np.round(rng.lognormal(np.where(y == 1, 5.9, 5.0), 0.7))
    hung_up = (y == 0) & (rng.uniform(size=rows) < 0.08)
    talk = np.where(
        hung_up, rng.integers(0, 30, rows), np.where(y == 1, np.maximum(talk, 40), talk)
    )
    start = dt.datetime(2008, 5, 1, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "contacted": [start + dt.timedelta(days=float(x) * 900) for x in t],
            "macro": np.round(macro, 3),
            "signal": signal,
            "job": job,
            "talk": talk,
            "y": y,
        }
    )


@pytest.fixture(scope="module")
def calls() -> pl.DataFrame:
    return campaign()


@pytest.fixture(scope="module")
def headline(calls: pl.DataFrame) -> float:
    auc = evaluate_frame(calls.drop("talk"), "y", algorithm="boosting", folds=3).model.auc
    assert auc is not None
    return auc


def test_date_ordered_calls_are_not_inverted(calls: pl.DataFrame, headline: float) -> None:
    # Before: AUC 0.131 in date order, every prediction in the 0.2-0.3 bin.
    assert headline > 0.8
    evaluation = evaluate_frame(calls.drop("talk"), "y", algorithm="boosting", folds=3)
    occupied = [b for b in evaluation.model.calibration if b.count]
    assert len(occupied) >= 5
    assert evaluation.model.auc == headline


@pytest.mark.parametrize(
    ("column", "descending"),
    [("contacted", False), ("contacted", True), ("y", False), ("y", True), ("job", False)],
)
def test_sorted_by_any_column_gives_the_same_figures(
    calls: pl.DataFrame, headline: float, column: str, descending: bool
) -> None:
    ordered = calls.drop("talk").sort(column, descending=descending, maintain_order=True)
    auc = evaluate_frame(ordered, "y", algorithm="boosting", folds=3).model.auc
    assert auc == pytest.approx(headline, abs=1e-9)


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_any_shuffle_gives_the_same_figures(seed: int) -> None:
    rows = campaign(rows=800, seed=1).drop("talk", "contacted")
    first = evaluate_frame(rows, "y", algorithm="linear", folds=3)
    shuffled = rows.sample(fraction=1.0, shuffle=True, seed=seed)
    # Columns in another order too: the file's layout does not matter either.
    again = evaluate_frame(
        shuffled.select(reversed(shuffled.columns)), "y", algorithm="linear", folds=3
    )
    assert again.model.auc == pytest.approx(first.model.auc, abs=1e-9)
    assert again.baseline.auc == pytest.approx(first.baseline.auc, abs=1e-9)
    assert again.model.brier == pytest.approx(first.model.brier, abs=1e-9)


def test_the_seed_is_reported_and_changes_the_folds_only_within_noise(
    calls: pl.DataFrame, headline: float
) -> None:
    other = evaluate_frame(calls.drop("talk"), "y", algorithm="boosting", folds=3, seed=7)
    assert other.seed == 7
    assert other.as_dict()["seed"] == 7
    assert "seed 7" in format_evaluation(other)
    assert other.model.auc == pytest.approx(headline, abs=0.02)


@given(
    st.floats(min_value=-5, max_value=5),
    st.floats(min_value=0.05, max_value=3),
    st.integers(min_value=0, max_value=1_000),
)
@settings(max_examples=40, deadline=None)
def test_the_calibrator_never_turns_the_ranking_over(
    shift: float, spread: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(400) < 0.3).astype(np.int8)
    # Scores that run *against* the outcome: an unconstrained Platt fit would flip them.
    scores = shift - spread * y + rng.normal(scale=1.0, size=400)
    slope, _ = platt(scores, y)
    assert slope >= MIN_SLOPE * 0.999


def test_a_useful_score_keeps_its_platt_slope() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(2_000) < 0.3).astype(np.int8)
    scores = 2.0 * y + rng.normal(size=2_000)
    slope, intercept = platt(scores, y)
    assert 1.5 < slope < 2.5  # the log-odds of this score are 2 * score - 1 - log(7/3)
    assert intercept < 0


def test_a_time_column_adds_a_time_holdout_and_warns_when_it_disagrees(
    calls: pl.DataFrame,
) -> None:
    evaluation = evaluate_frame(
        calls.drop("talk"), "y", time_column="contacted", algorithm="linear", folds=3
    )
    assert evaluation.method == "cross_validation"
    holdout = evaluation.holdout
    assert holdout is not None
    assert holdout.test_rows == pytest.approx(0.2 * ROWS, abs=5)
    assert holdout.cutoff.startswith("2010-")
    assert evaluation.model.auc is not None
    assert holdout.model.auc is not None
    # The late months sell to everyone: the ranking within them is harder.
    assert evaluation.model.auc - holdout.model.auc > 0.05
    assert len(evaluation.warnings) == 1
    assert "changes over time" in evaluation.warnings[0]
    document = evaluation.as_dict()
    assert document["holdout"]["test_rows"] == holdout.test_rows  # type: ignore[index]
    assert document["warnings"] == list(evaluation.warnings)


def test_a_small_holdout_is_not_read_as_drift() -> None:
    # A dozen won leads cannot tell 0.62 from 0.76.
    assert auc_standard_error(0.62, 14, 229) > 0.07
    assert auc_standard_error(0.62, 1_400, 22_900) < 0.01


def test_the_call_length_is_flagged_by_its_evidence(calls: pl.DataFrame) -> None:
    evaluation = evaluate_frame(calls, "y", algorithm="linear", folds=3)
    talk = next(f for f in evaluation.features if f.name == "talk")
    assert talk.status == ColumnStatus.LEAKY
    assert "no won row among the" in talk.reason
    assert talk.auc is not None
    assert f"AUC {talk.auc:.3f}" in talk.reason
    assert "talk" not in evaluation.used
    assert evaluation.leaky == ("talk",)
    kept = evaluate_frame(calls, "y", algorithm="linear", folds=3, keep=["talk"])
    assert "talk" in kept.used
    assert kept.leaky == ("talk",)  # still flagged, used on request
