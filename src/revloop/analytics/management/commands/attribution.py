"""Multi-touch attribution of MQLs, pipeline or revenue, from the database or a path file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from revloop.analytics.choices import LEVELS, OUTCOMES
from revloop.analytics.commands import (
    add_engine_flags,
    add_period_flags,
    cache_note,
    lookback,
    number,
    percent,
    period_of,
    print_table,
)
from revloop.analytics.paths import paths_attribution
from revloop.analytics.rates import attribution_rates
from revloop.core.commands import RevloopCommand
from revloop.engine.attribution import MODELS, AttributionOptions


def _models(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


class Command(RevloopCommand):
    help = (
        "Credit MQLs, pipeline or revenue to channels, campaigns or content with one "
        "model (rule-based, Markov order 1-3, Shapley), or several side by side; "
        "--paths reads a ChannelAttribution path file instead of the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--model", default="markov", choices=tuple(MODELS))
        parser.add_argument("--outcome", default="revenue", choices=OUTCOMES)
        parser.add_argument("--level", default="channel", choices=LEVELS)
        parser.add_argument(
            "--lookback-days",
            type=lookback,
            default=90.0,
            help="touches counted before a conversion (days, or 'none')",
        )
        add_period_flags(parser)
        parser.add_argument("--markov-order", type=int, default=1, choices=(1, 2, 3))
        parser.add_argument(
            "--half-life-days", type=float, default=7.0, help="time decay's half-life"
        )
        parser.add_argument(
            "--compare",
            type=_models,
            nargs="?",
            const=(),
            default=None,
            metavar="MODELS",
            help="show models side by side: comma-separated (e.g. first,last,markov), or"
            " alone for the Marketing page's set (first, last, linear, U- and W-shaped, time"
            " decay, Markov, Shapley)",
        )
        parser.add_argument(
            "--paths",
            type=Path,
            help="a ChannelAttribution path file (path, total_conversions, and when "
            "present total_conversion_value, total_null; steps separated by ' > ')",
        )
        add_engine_flags(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["paths"] is not None:
            result = paths_attribution(
                options["paths"],
                options["model"],
                AttributionOptions(
                    half_life_days=options["half_life_days"],
                    markov_order=options["markov_order"],
                ),
            )
        else:
            result = self._from_database(options)
        attribution_rates(result)

        def human() -> None:
            where = (
                f"paths in {result['paths']}"
                if "paths" in result
                else f"{result['outcome']} by {result['level']}"
            )
            if result.get("period"):
                where += f", conversions {result['period']['phrase']}"
            print_table(
                self.stdout,
                f"{result['model_label']} attribution, {where}",
                ["label", "conversions", "value", "share of value"],
                [
                    [
                        row["label"],
                        number(row["conversions"], 2),
                        number(row["value"]),
                        percent(row["value_share"]),
                    ]
                    for row in result["credit"]
                ],
            )
            comparison = result.get("comparison")
            if comparison:
                models = comparison["models"]
                print_table(
                    self.stdout,
                    "Share of value by model",
                    ["label", *(comparison["model_labels"][m] for m in models)],
                    [
                        [row["label"], *(percent(row["share"].get(m)) for m in models)]
                        for row in comparison["rows"]
                    ],
                )
            if "paths" in result and result["value_column"] is None:
                self.stdout.write("The file has no total_conversion_value column: value is 0.")
            if "cache" in result:
                self.stdout.write(cache_note(result))

        self.emit(result, options, human)

    def _from_database(self, options: dict[str, Any]) -> dict[str, Any]:
        # The query engines load only here: a path file needs none of them.
        from revloop.analytics.reports import DEFAULT_COMPARE, AttributionParams, Reports

        params = AttributionParams(
            model=options["model"],
            outcome=options["outcome"],
            level=options["level"],
            lookback_days=options["lookback_days"],
            markov_order=options["markov_order"],
            half_life_days=options["half_life_days"],
            period=period_of(options),
        )
        with Reports(engine=options["engine"], fresh=options["fresh"]) as reports:
            result = reports.attribution(params)
            chosen = options["compare"]
            if chosen is not None:
                # `--compare` alone: the same set the Marketing page shows.
                models = chosen or DEFAULT_COMPARE
                result["comparison"] = reports.comparison(params, models)
        return result
