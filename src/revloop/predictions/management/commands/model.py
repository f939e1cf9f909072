"""Predictive scoring: train on the company's history, evaluate any export, show models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.core.errors import RevloopError
from revloop.engine.imports.errors import CsvFileError
from revloop.engine.predictive import format_evaluation
from revloop.predictions import services
from revloop.predictions.models import PredictiveModel


class Command(RevloopCommand):
    help = "Predictive scoring: train, evaluate a CSV export, show the stored models."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser(
            "train", help="learn from won/lost history, store the model, score open people"
        )
        evaluate = sub.add_parser(
            "evaluate", help="cross-validate the model and the naive-Bayes baseline on a CSV"
        )
        evaluate.add_argument("--csv", required=True, type=Path, help="a tabular export")
        evaluate.add_argument("--target", required=True, help="the 0/1 outcome column")
        evaluate.add_argument("--time-column", help="hold out the latest rows by this column")
        evaluate.add_argument(
            "--keep-leaky",
            action="store_true",
            help="keep features whose own AUC is 0.9 or more (probable leakage)",
        )
        evaluate.add_argument(
            "--keep", action="append", default=[], help="vouch for a post-handoff column"
        )
        evaluate.add_argument("--exclude", action="append", default=[], help="leave a column out")
        show = sub.add_parser("show", help="the stored models, newest first")
        for subparser in (train, evaluate, show):
            add_json_flag(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except (RevloopError, CsvFileError) as exc:
            raise CommandError(str(exc)) from None

    def _train(self, options: dict[str, Any]) -> None:
        stored = services.train_and_activate(trigger="command")
        result = _model_dict(stored)

        def human() -> None:
            figures = stored.evaluation
            model, baseline = figures.get("model", {}), figures.get("baseline", {})
            self.stdout.write(
                f"Trained a {stored.algorithm} model on {stored.rows:,} decided people "
                f"({stored.positives:,} customers); scored {stored.people_scored:,} open people."
            )
            for name in ("auc", "brier", "top_decile_lift", "calibration_error"):
                self.stdout.write(
                    f"  {name:<18} model {_figure(model.get(name))}   "
                    f"baseline {_figure(baseline.get(name))}"
                )

        self.emit(result, options, human)

    def _evaluate(self, options: dict[str, Any]) -> None:
        evaluation, bad_rows = services.evaluate_csv(
            options["csv"],
            options["target"],
            time_column=options["time_column"],
            keep_leaky=options["keep_leaky"],
            keep=tuple(options["keep"]),
            exclude=tuple(options["exclude"]),
        )
        result = {**evaluation.as_dict(), "bad_rows": [e.as_dict() for e in bad_rows]}

        def human() -> None:
            self.stdout.write(format_evaluation(evaluation))
            if bad_rows:
                self.stdout.write(f"{len(bad_rows):,} unreadable rows were left out.")

        self.emit(result, options, human)

    def _show(self, options: dict[str, Any]) -> None:
        rows = [_model_dict(m) for m in PredictiveModel.objects.all()[:50]]

        def human() -> None:
            for row in rows:
                auc = row["evaluation"].get("model", {}).get("auc")
                state = "active" if row["active"] else ""
                self.stdout.write(
                    f"{row['trained_at']:%Y-%m-%d %H:%M}  {row['algorithm']:<10} "
                    f"{row['rows']:>8,} rows  AUC {_figure(auc)}  {state}"
                )

        self.emit(rows, options, human)


def _model_dict(stored: PredictiveModel) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "trained_at": stored.trained_at,
        "trigger": stored.trigger,
        "algorithm": stored.algorithm,
        "rows": stored.rows,
        "positives": stored.positives,
        "active": stored.active,
        "people_scored": stored.people_scored,
        "evaluation": stored.evaluation,
        "summary": stored.summary,
    }


def _figure(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "n/a"
