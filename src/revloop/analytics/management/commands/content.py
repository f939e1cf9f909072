"""Content effectiveness: downloads and views against pipeline and revenue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

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
from revloop.analytics.reports import Reports
from revloop.core.commands import RevloopCommand


class Command(RevloopCommand):
    help = (
        "Per content asset: views, downloads, people, their MQL / acceptance / pipeline / "
        "win rates vs everyone else, attributed pipeline and revenue, misinformed "
        "rejections. Assets with many touches and little revenue come first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--lookback-days",
            type=lookback,
            default=90.0,
            help="touches credited before a conversion (days, or 'none')",
        )
        add_period_flags(parser)
        add_engine_flags(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with Reports(engine=options["engine"], fresh=options["fresh"]) as reports:
            result = reports.content(options["lookback_days"], period_of(options))

        def human() -> None:
            rows = [
                [
                    asset["title"][:44],
                    asset["kind"],
                    number(asset["downloads"]),
                    number(asset["views"]),
                    number(asset["people"]),
                    f"{percent(asset['mql_rate'])} / {percent(asset['mql_rate_others'])}",
                    f"{percent(asset['win_rate'])} / {percent(asset['win_rate_others'])}",
                    number(asset["attributed_pipeline"]),
                    number(asset["attributed_revenue"]),
                    number(asset["revenue_per_touch"], 1),
                    number(asset["misinformed"]),
                    ", ".join(asset["flags"]),
                ]
                for asset in result["assets"]
            ]
            print_table(
                self.stdout,
                "Content effectiveness (observational: touched vs everyone else, not an effect)",
                [
                    "asset",
                    "kind",
                    "downloads",
                    "views",
                    "people",
                    "MQL vs others",
                    "win vs others",
                    "pipeline",
                    "revenue",
                    "rev/touch",
                    "misinformed",
                    "flags",
                ],
                rows,
            )
            period = result["period"]["phrase"] if result.get("period") else "all time"
            self.stdout.write(
                f"Revenue closed {period}: {number(result['revenue_closed'])} "
                f"({number(result['revenue_deals'])} won deals), "
                f"{number(result['revenue_with_content'])} of it through content."
            )
            self.stdout.write(cache_note(result))

        self.emit(result, options, human)
