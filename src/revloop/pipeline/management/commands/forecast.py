"""``revloop forecast``: this and next quarter's revenue from the pipeline, by history."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from revloop.core.commands import RevloopCommand
from revloop.pipeline.honesty import forecast_report
from revloop.pipeline.when import as_of


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


class Command(RevloopCommand):
    help = (
        "Expected revenue this quarter and next from open deals, by the historical win "
        "rate of deals like them, with an interval, beside the reps' commit and best case."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--backtest",
            type=int,
            default=0,
            metavar="QUARTERS",
            help="also forecast each of the last QUARTERS quarters from its first day and "
            "compare with what was won (MAPE, interval coverage, naive baseline)",
        )
        parser.add_argument("--as-of", type=as_of, help="forecast as of then (default now)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = forecast_report(now=options["as_of"], backtest_quarters=options["backtest"])
        self.emit(result, options, lambda: self._human(result))

    def _human(self, result: dict[str, Any]) -> None:
        # Django's OutputWrapper writes text as a file does; typeshed's IO is stricter.
        console = Console(file=cast("IO[str]", self.stdout), width=160)
        currency = result["currency"]
        shown = ", ".join(currency) if isinstance(currency, list) else (currency or "no deals")
        table = Table(title=f"Forecast ({shown})", title_justify="left")
        columns = (
            "period",
            "expected",
            "interval",
            "won so far",
            "open pipeline",
            "new deals",
            "commit",
            "best case",
            "naive",
        )
        for column in columns:
            table.add_column(column, justify="left" if column == "period" else "right")
        for p in result["periods"]:
            interval = p["interval"]
            table.add_row(
                p["period"],
                _money(p["expected"]),
                f"{_money(interval['low'])}-{_money(interval['high'])} ({interval['level']:.0%})",
                _money(p["won_to_date"]),
                f"{_money(p['expected_from_open_pipeline'])} of "
                f"{_money(p['open_pipeline']['amount'])}",
                _money(p["expected_from_new_deals"]),
                _money(p["commit"]),
                _money(p["best_case"]),
                _money(p["naive"]["expected"]),
            )
        console.print(table)
        for p in result["periods"]:
            console.print(f"{p['period']}: {p['gap']['explained']}")
            if p["warning"]:
                console.print(f"{p['period']}: {p['warning']}")
        rate = result["periods"][0]["naive"]["win_rate"]
        console.print(
            f"Naive: open pipeline x overall win rate {rate['rate']:.1%} "
            f"({rate['numerator']:,} won of {rate['denominator']:,} closed)."
        )
        if "backtest" in result:
            self._backtest(console, result["backtest"])

    def _backtest(self, console: Console, backtest: dict[str, Any]) -> None:
        table = Table(
            title="Backtest: forecast from each quarter's first day", title_justify="left"
        )
        for column in ("quarter", "forecast", "interval", "naive", "actual won", "covered"):
            table.add_column(column, justify="left" if column == "quarter" else "right")
        for q in backtest["quarters"]:
            table.add_row(
                q["period"],
                _money(q["forecast"]),
                f"{_money(q['low'])}-{_money(q['high'])}",
                _money(q["naive"]),
                _money(q["actual"]),
                "yes" if q["covered"] else "no",
            )
        console.print(table)
        coverage = backtest["coverage"]
        mape = backtest["mape"]
        naive = backtest["naive_mape"]
        console.print(
            f"MAPE {'-' if mape is None else f'{mape:.1%}'} (naive "
            f"{'-' if naive is None else f'{naive:.1%}'}) over {backtest['mape_quarters']} "
            f"quarters; interval covered the actual in {coverage['numerator']} of "
            f"{coverage['denominator']} ({coverage['level']:.0%} interval)."
        )
