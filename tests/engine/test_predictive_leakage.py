"""The leakage guard and the column typing it relies on.

- A copy of the target is flagged (own AUC >= 0.9) and excluded by default, and
  used only with keep_leaky.
- Post-handoff columns (stage, owner, tags ...) are excluded by name, as an extra;
  a stage that encodes the outcome is flagged by its AUC whatever its name, and
  ``keep`` for that one column uses it, still flagged.
- Identifier-like columns are dropped; placeholders are missing; yes/no is boolean.
- An honest feature below the threshold is used, and the model learns from it.
"""

from __future__ import annotations

import pickle

import numpy as np
import polars as pl
import pytest

from revloop.engine.predictive import (
    LEAKAGE_AUC,
    ColumnKind,
    ColumnStatus,
    DatasetError,
    TargetError,
    plan_columns,
    post_handoff,
    prepare,
    single_feature_auc,
    train,
)

ROWS = 2_000


def leads(seed: int = 0, rows: int = ROWS) -> pl.DataFrame:
    """Leads whose outcome depends on visits and segment, plus every kind of trap."""
    rng = np.random.default_rng(seed)
    visits = rng.poisson(3, rows)
    segment = rng.choice(["Enterprise", "enterprise ", "SMB", "Mid-Market", "Select"], rows)
    logit = (
        -1.5
        + 0.35 * visits
        + np.where(np.char.lower(np.char.strip(segment)) == "enterprise", 1.0, 0.0)
    )
    won = rng.random(rows) < 1 / (1 + np.exp(-logit))
    lost_stages = rng.choice(["recycled", "disqualified"], rows)
    return pl.DataFrame(
        {
            "lead_id": np.arange(10_000, 10_000 + rows),
            "email": [f"person{i}@example.com" for i in range(rows)],
            "visits": visits,
            "segment": segment,
            "newsletter": rng.choice(["Yes", "No"], rows),
            "country": rng.choice(["US", "DE", "FR", "N/A", ""], rows),
            "constant": ["same"] * rows,
            "notes": [f"left a message about plan {i % 1_500}" for i in range(rows)],
            "converted_copy": np.where(won, "yes", "no"),
            "Lead Stage": np.where(won, "customer", lost_stages),
            "Lead Owner": rng.choice(["ann", "bob"], rows),
            "created_at": pl.datetime_range(
                pl.datetime(2025, 1, 1, time_zone="UTC"),
                pl.datetime(2025, 12, 31, time_zone="UTC"),
                interval="1h",
                eager=True,
            ).head(rows),
            "won": won.astype(np.int8),
        }
    )


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return leads()


def statuses(report: tuple) -> dict[str, ColumnStatus]:
    return {r.name: r.status for r in report}


def test_a_copy_of_the_target_is_flagged_and_excluded_by_default(frame: pl.DataFrame) -> None:
    data = prepare(frame, "won", time_column="created_at")
    report = {r.name: r for r in data.report}
    copy = report["converted_copy"]
    assert copy.status == ColumnStatus.LEAKY
    assert copy.auc is not None
    assert copy.auc >= LEAKAGE_AUC
    assert "converted_copy" not in data.plan.features()
    assert "probable leakage" in copy.reason


def test_keep_leaky_uses_the_flagged_column(frame: pl.DataFrame) -> None:
    data = prepare(frame, "won", keep_leaky=True)
    assert statuses(data.report)["converted_copy"] == ColumnStatus.LEAKY_KEPT
    assert "converted_copy" in data.plan.features()


def test_post_handoff_columns_are_excluded_by_name(frame: pl.DataFrame) -> None:
    found = statuses(prepare(frame, "won").report)
    assert found["Lead Owner"] == ColumnStatus.POST_HANDOFF
    # Named like a stage and encoding the outcome: the evidence is the stronger flag.
    assert found["Lead Stage"] == ColumnStatus.LEAKY
    for name in ("Tags", "Lead Quality", "Last Notable Activity", "lifecycle_stage", "owner_id"):
        assert post_handoff(name), name
    for name in ("industry", "touches_pricing_page", "fit_score", "source", "employee_count"):
        assert not post_handoff(name), name


def test_a_stage_column_is_caught_by_its_auc_and_kept_only_on_request(
    frame: pl.DataFrame,
) -> None:
    stage = next(r for r in prepare(frame, "won").report if r.name == "Lead Stage")
    assert stage.status == ColumnStatus.LEAKY
    assert stage.auc is not None
    assert stage.auc >= LEAKAGE_AUC
    assert f"AUC {stage.auc:.3f}" in stage.reason
    kept = prepare(frame, "won", keep=["Lead Stage"])
    assert statuses(kept.report)["Lead Stage"] == ColumnStatus.LEAKY_KEPT
    assert "Lead Stage" in kept.plan.features()
    # Keeping one column keeps only that one.
    assert statuses(kept.report)["converted_copy"] == ColumnStatus.LEAKY


def test_column_kinds(frame: pl.DataFrame) -> None:
    plan = plan_columns(frame, "won", time_column="created_at")
    kinds = {c.name: c.kind for c in plan.columns}
    assert kinds["lead_id"] == ColumnKind.IDENTIFIER
    assert kinds["email"] == ColumnKind.IDENTIFIER
    assert kinds["visits"] == ColumnKind.NUMERIC
    assert kinds["segment"] == ColumnKind.CATEGORICAL
    assert kinds["newsletter"] == ColumnKind.BOOLEAN
    assert kinds["constant"] == ColumnKind.CONSTANT
    assert kinds["notes"] == ColumnKind.TEXT
    assert kinds["created_at"] == ColumnKind.DATETIME
    assert plan["created_at"].status == ColumnStatus.TIME
    # The leakage screen comes later (prepare): typing alone keeps the copy.
    assert set(plan.features()) == {"visits", "segment", "newsletter", "country", "converted_copy"}


def test_text_is_normalised_and_placeholders_are_missing(frame: pl.DataFrame) -> None:
    plan = plan_columns(frame, "won")
    design = plan.design(frame)
    assert set(design["segment"].unique().to_list()) == {"enterprise", "smb", "mid-market", None}
    assert set(design["country"].unique().to_list()) == {"us", "de", "fr", None}
    assert set(design["newsletter"].unique().to_list()) == {0.0, 1.0}


def test_honest_features_are_used_and_learned(frame: pl.DataFrame) -> None:
    data = prepare(frame, "won")
    visits = next(r for r in data.report if r.name == "visits")
    assert visits.status == ColumnStatus.USED
    assert visits.auc is not None
    assert 0.6 < visits.auc < LEAKAGE_AUC
    model = train(frame, "won", algorithm="linear")
    more = frame.head(50).with_columns(pl.lit(8).alias("visits"))
    fewer = frame.head(50).with_columns(pl.lit(0).alias("visits"))
    assert (model.predict_proba(more) > model.predict_proba(fewer)).all()


def test_exclude_and_unknown_columns(frame: pl.DataFrame) -> None:
    data = prepare(frame, "won", exclude=["visits"])
    assert statuses(data.report)["visits"] == ColumnStatus.EXCLUDED
    with pytest.raises(ValueError, match="no column named 'nope'"):
        prepare(frame, "won", exclude=["nope"])


def test_target_errors_name_the_problem(frame: pl.DataFrame) -> None:
    with pytest.raises(TargetError, match="'outcome' is not in the table"):
        prepare(frame, "outcome")
    with pytest.raises(TargetError, match="neither won nor lost"):
        prepare(frame, "segment")
    few = frame.with_columns(pl.lit(0, dtype=pl.Int8).alias("won"))
    with pytest.raises(DatasetError, match="at least 10 won"):
        prepare(few, "won")
    only_leaks = frame.select("lead_id", "email", "converted_copy", "won")
    with pytest.raises(DatasetError, match="no column is usable"):
        prepare(only_leaks, "won")


def test_rows_without_an_outcome_are_left_out(frame: pl.DataFrame) -> None:
    text = frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 10 == 0)
        .then(None)
        .otherwise(pl.when(pl.col("won") == 1).then(pl.lit("Converted")).otherwise(pl.lit("Lost")))
        .alias("outcome")
    ).drop("won")
    data = prepare(text, "outcome")
    assert data.unknown_rows == ROWS // 10
    assert data.frame.height == ROWS - ROWS // 10


def test_single_feature_auc_of_noise_is_near_half() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(4_000) < 0.3).astype(np.int8)
    noise = pl.Series("noise", rng.choice([f"c{i}" for i in range(300)], 4_000))
    score = single_feature_auc(noise, y)
    assert score is not None
    assert abs(score - 0.5) < 0.05


def test_a_trained_model_pickles_and_explains(frame: pl.DataFrame) -> None:
    model = train(frame, "won", algorithm="boosting")
    again = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own object
    sample = frame.head(200)
    assert again.predict_proba(sample) == pytest.approx(model.predict_proba(sample))
    reasons = again.explain(sample, top=2)
    assert len(reasons) == 200
    for row in reasons:
        assert len(row) <= 2
        assert [abs(r.effect) for r in row] == sorted((abs(r.effect) for r in row), reverse=True)
        assert all(r.feature in model.used for r in row)
    summary = model.as_dict()
    assert summary["algorithm"] == "boosting"
    assert "converted_copy" not in summary["used"]


def test_a_field_constant_for_one_outcome_is_flagged_with_its_shares(frame: pl.DataFrame) -> None:
    rng = np.random.default_rng(5)
    won = frame["won"].to_numpy() == 1
    # An amount booked once a deal is won (on 60% of them so far): 0 for every lost
    # lead. Alone it ranks below the 0.9 of a copy; its one-sidedness gives it away.
    booked_yet = won & (rng.random(won.size) < 0.6)
    amount = np.where(booked_yet, rng.integers(1_000, 90_000, won.size), 0)
    data = prepare(frame.with_columns(pl.Series("booked", amount)), "won")
    booked = next(r for r in data.report if r.name == "booked")
    assert booked.status == ColumnStatus.LEAKY
    assert "'0.0' for 100.0% of not won rows" in booked.reason
    assert "constant for one outcome" in booked.reason


def test_a_date_filled_only_for_one_outcome_was_recorded_after_it(frame: pl.DataFrame) -> None:
    won = frame["won"].to_numpy() == 1
    moments = frame["created_at"].to_list()
    signed = [m if w else None for m, w in zip(moments, won, strict=True)]
    data = prepare(
        frame.with_columns(pl.Series("signed_on", signed, dtype=frame.schema["created_at"])),
        "won",
        time_column="created_at",
    )
    signed_on = next(r for r in data.report if r.name == "signed_on")
    assert signed_on.status == ColumnStatus.LEAKY
    assert "recorded after the outcome" in signed_on.reason
    assert "filled for 100.0% of won rows and 0.0% of not won rows" in signed_on.reason


def test_honest_fields_raise_no_flag(frame: pl.DataFrame) -> None:
    honest = frame.select("visits", "segment", "newsletter", "country", "created_at", "won")
    data = prepare(honest, "won", time_column="created_at")
    assert {r.name for r in data.report if r.status == ColumnStatus.LEAKY} == set()
