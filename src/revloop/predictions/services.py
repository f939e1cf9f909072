"""Train the predictive model on the company's own history and score open people with it.

The learning, evaluation and reasons live in :mod:`revloop.engine.predictive`; here
the tables are read into frames, the fitted model is stored (every run is kept), and
``Person.predicted_probability`` is written for everyone still open, in one UPDATE.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
import polars as pl

from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.core.frames import as_text, read_sql
from revloop.engine.predictive import (
    DatasetError,
    Evaluation,
    TrainedModel,
    evaluate_frame,
    feature_frame,
    open_people,
    people_feature_frame,
    read_table,
)
from revloop.people.actions import do_set_predicted_probabilities
from revloop.predictions.models import PredictiveModel

_TIME = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class History:
    people: pl.DataFrame
    accounts: pl.DataFrame
    touches: pl.DataFrame
    handoffs: pl.DataFrame
    content: pl.DataFrame


def read_history() -> History:
    """The columns the features need, straight from the database into frames."""
    return History(
        people=read_sql(
            "SELECT id, email, title, persona, country, source, account_id, stage, "  # noqa: S608 - constant
            f"{as_text('created_at')}, fit_score FROM people_person",
            {
                "id": pl.Int64(),
                "email": pl.String(),
                "title": pl.String(),
                "persona": pl.String(),
                "country": pl.String(),
                "source": pl.String(),
                "account_id": pl.Int64(),
                "stage": pl.String(),
                "created_at": _TIME,
                "fit_score": pl.Float64(),
            },
        ),
        accounts=read_sql(
            "SELECT id, industry, employee_count, region, tier FROM people_account",
            {
                "id": pl.Int64(),
                "industry": pl.String(),
                "employee_count": pl.Int64(),
                "region": pl.String(),
                "tier": pl.String(),
            },
        ),
        touches=read_sql(
            f"SELECT person_id, {as_text('occurred_at')}, type, content_id FROM activity_touch "  # noqa: S608 - constant
            "WHERE person_id IS NOT NULL",
            {
                "person_id": pl.Int64(),
                "occurred_at": _TIME,
                "type": pl.String(),
                "content_id": pl.Int64(),
            },
        ),
        handoffs=read_sql(
            f"SELECT person_id, to_stage, {as_text('at')} FROM lifecycle_stagetransition "  # noqa: S608 - constant
            "WHERE to_stage = 'mql'",
            {"person_id": pl.Int64(), "to_stage": pl.String(), "at": _TIME},
        ),
        content=read_sql(
            "SELECT id, kind FROM activity_contentasset", {"id": pl.Int64(), "kind": pl.String()}
        ),
    )


def training_frame(history: History) -> pl.DataFrame:
    return people_feature_frame(
        history.people,
        history.accounts,
        history.touches,
        history.handoffs,
        content=history.content,
    )


def activation(stored: PredictiveModel) -> dict[str, Any]:
    """Whether a stored run was activated and why (runs stored before the rule say so)."""
    found = stored.evaluation.get("activation")
    if isinstance(found, dict):
        return found
    return {"activated": stored.active, "forced": False, "reason": "stored before the rule"}


def active_model() -> tuple[PredictiveModel, TrainedModel]:
    stored = PredictiveModel.objects.filter(active=True).first()
    if stored is None:
        raise NotFoundError("no predictive model yet; run `revloop model train`")
    model: TrainedModel = joblib.load(io.BytesIO(bytes(stored.blob)))
    return stored, model


def score_open_people(model: TrainedModel, history: History, *, now: datetime) -> int:
    """Write the probability of becoming a customer for everyone not yet decided."""
    cutoffs = open_people(history.handoffs, history.people, now)
    if cutoffs.height == 0:
        return 0
    frame = feature_frame(
        history.people, history.accounts, history.touches, cutoffs, content=history.content
    )
    probabilities = pl.DataFrame(
        {
            "id": frame.get_column("person_id"),
            "p": pl.Series(model.predict_proba(frame), dtype=pl.Float64),
        }
    )
    do_set_predicted_probabilities(probabilities)
    return probabilities.height


def evaluate_csv(
    path: Path,
    target: str,
    *,
    time_column: str | None = None,
    keep_leaky: bool = False,
    keep: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    seed: int = 0,
    folds: int = 5,
) -> tuple[Evaluation, list[Any]]:
    """The model's and the baseline's figures on any tabular export, and its bad rows."""
    if not path.is_file():
        raise InvalidInputError(f"{path}: no such file")
    bad_rows: list[Any] = []
    frame = read_table(path, bad_rows=bad_rows)
    if target not in frame.columns:
        raise InvalidInputError(
            f"{path}: no column {target!r}; columns are {', '.join(frame.columns)}"
        )
    try:
        evaluation = evaluate_frame(
            frame,
            target,
            time_column=time_column,
            keep_leaky=keep_leaky,
            keep=keep,
            exclude=exclude,
            seed=seed,
            folds=folds,
        )
    except (DatasetError, ValueError) as exc:
        raise InvalidInputError(str(exc)) from None
    return evaluation, bad_rows
