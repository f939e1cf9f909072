"""Predictions' actions: train the model on the company's own history, store every run,
and activate it (scoring open people with it) when it earns it."""

from __future__ import annotations

import io
from datetime import datetime

import joblib
from django.db import transaction
from django.utils import timezone

from revloop.core.errors import InvalidInputError
from revloop.engine.predictive import DatasetError, evaluate_frame, train
from revloop.engine.predictive.demo_frame import TARGET, TIME_COLUMN
from revloop.predictions.models import PredictiveModel
from revloop.predictions.services import read_history, score_open_people, training_frame


def do_train_model(
    *, trigger: str = "command", now: datetime | None = None, force: bool = False
) -> PredictiveModel:
    """Evaluate honestly, fit on all decided people, store, and activate if it earns it.

    The evaluation (shuffled folds, and the latest 20% of people by creation time
    held out beside them) is what the stored figures say; the model that scores is
    then fitted on every decided person. It is activated, and open people scored
    with it, only when it ranks better than the naive-Bayes baseline on every
    held-out measurement, or with ``force``; otherwise it is kept inactive, the
    model already active (if any) stays so, and ``evaluation["activation"]`` says why.
    """
    now = now or timezone.now()
    history = read_history()
    frame = training_frame(history)
    try:
        evaluation = evaluate_frame(frame, TARGET, time_column=TIME_COLUMN)
        model = train(frame, TARGET, time_column=TIME_COLUMN)
    except DatasetError as exc:
        raise InvalidInputError(f"cannot train on this history: {exc}") from None
    beats, verdict = evaluation.beats_baseline()
    activate = beats or force
    if beats:
        reason = f"activated: {verdict}"
    elif force:
        reason = f"activated on request (--force), although {verdict}"
    else:
        reason = f"not activated: {verdict}; the active model, if any, stays (--force overrides)"
    figures = {
        **evaluation.as_dict(),
        "activation": {"activated": activate, "forced": force and not beats, "reason": reason},
    }
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    with transaction.atomic():
        if activate:
            PredictiveModel.objects.filter(active=True).update(active=False)
        stored = PredictiveModel.objects.create(
            trained_at=now,
            trigger=trigger,
            algorithm=model.algorithm,
            rows=frame.height,
            positives=int(frame.get_column(TARGET).sum()),
            evaluation=figures,
            summary=model.as_dict(),
            blob=buffer.getvalue(),
            active=activate,
        )
        if activate:
            stored.people_scored = score_open_people(model, history, now=now)
            stored.save(update_fields=["people_scored"])
    return stored
