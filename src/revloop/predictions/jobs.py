"""The predictive model, kept current: retrained weekly, open people re-predicted nightly."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.predictions.actions import do_train_model
from revloop.predictions.services import (
    activation,
    active_model,
    read_history,
    score_open_people,
)
from revloop.worker.registry import periodic


@periodic(
    every=timedelta(days=7), name="predictions.weekly_retrain", queue="slow", start_at_once=False
)
def weekly_retrain(now: datetime) -> dict[str, Any]:
    """Learn from the week's won and lost people; a history too thin to learn from is skipped."""
    try:
        model = do_train_model(trigger="schedule", now=now)
    except InvalidInputError as exc:
        return {"skipped": exc.message}
    return {
        "model": model.pk,
        "active": model.active,
        "activation": activation(model)["reason"],
        "algorithm": model.algorithm,
        "rows": model.rows,
        "positives": model.positives,
        "people_scored": model.people_scored,
    }


@periodic(
    every=timedelta(days=1), name="predictions.nightly_predict", queue="slow", start_at_once=False
)
def nightly_predict(now: datetime) -> dict[str, Any]:
    """Features count touches up to now: yesterday's probabilities age like scores do."""
    try:
        _, model = active_model()
    except NotFoundError as exc:
        return {"skipped": exc.message}
    return {"people_scored": score_open_people(model, read_history(), now=now)}
