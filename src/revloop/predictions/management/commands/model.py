"""Predictive scoring: train on the company's history, evaluate any export, show models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.engine.predictive import format_evaluation
from revloop.predictions import services
from revloop.predictions.actions import do_train_model
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
        train.add_argument(
            "--force",
            action="store_true",
            help="activate the new model even if it does not beat the baseline",
        )
        evaluate.add_argument(
            "--time-column",
            help="also hold out the latest rows by this column, beside the shuffled folds",
        )
        evaluate.add_argument(
            "--seed", type=int, default=0, help="seeds the folds and the learners (0)"
        )
        evaluate.add_argument("--folds", type=int, default=5, help="cross-validation folds (5)")
        evaluate.add_argument(
            "--keep-leaky",
            action="store_true",
            help="use every column flagged as probable leakage",
        )
        evaluate.add_argument(
            "--keep",
            action="append",
            default=[],
            help="use this column although it is flagged or named like a post-handoff field",
        )
        evaluate.add_argument("--exclude", action="append", default=[], help="leave a column out")
        show = sub.add_parser("show", help="the stored models, newest first")
        for subparser in (train, evaluate, show):
            add_json_flag(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _train(self, options: dict[str, Any]) -> None:
        stored = do_train_model(trigger="command", force=options["force"])
        result = _model_dict(stored)

        def human() -> None:
            figures = stored.evaluation
            scored = (
                f"scored {stored.people_scored:,} open people" if stored.active else "scored nobody"
            )
            self.stdout.write(
                f"Trained a {stored.algorithm} model on {stored.rows:,} decided people "
                f"({stored.positives:,} customers); {scored}."
            )
            held_out = [("shuffled folds", figures)]
            if figures.get("holdout"):
                held_out.append(("time holdout", figures["holdout"]))
            for label, part in held_out:
                model, baseline = part.get("model", {}), part.get("baseline", {})
                self.stdout.write(f" {label}:")
                for name in ("auc", "brier", "top_decile_lift", "calibration_error"):
                    self.stdout.write(
                        f"  {name:<18} model {_figure(model.get(name))}   "
                        f"baseline {_figure(baseline.get(name))}"
                    )
            for warning in figures.get("warnings", []):
                self.stdout.write(f"warning: {warning}")
            self.stdout.write(result["activation"]["reason"])

        self.emit(result, options, human)

    def _evaluate(self, options: dict[str, Any]) -> None:
        evaluation, bad_rows = services.evaluate_csv(
            options["csv"],
            options["target"],
            time_column=options["time_column"],
            keep_leaky=options["keep_leaky"],
            keep=tuple(options["keep"]),
            exclude=tuple(options["exclude"]),
            seed=options["seed"],
            folds=options["folds"],
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
        "activation": services.activation(stored),
        "people_scored": stored.people_scored,
        "evaluation": stored.evaluation,
        "summary": stored.summary,
    }


def _figure(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "n/a"
