"""``revloop opportunities report --by COLUMN``: opportunities, win rate, revenue,
average deal and median cycle per label of any opportunity column."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import RevloopCommand
from revloop.pipeline.report_command import (
    add_report_arguments,
    notes,
    percent,
    print_rows,
    run_report,
)
from revloop.pipeline.reports import opportunities_by


def _money(value: Any) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


class Command(RevloopCommand):
    help = "Reports on opportunities by their own columns (lead source, type, region, owner …)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser(
            "report",
            help="opportunities, win rate (won / closed), revenue won, average deal and "
            "median cycle per label",
        )
        add_report_arguments(report, "source, stage, owner, account, Region, Type")

    def handle(self, *args: Any, **options: Any) -> None:
        run_report(self, options, opportunities_by, self._human)

    def _human(self, result: dict[str, Any]) -> None:
        currencies = sorted({r["currency"] or "" for r in result["rows"]})
        money = len(currencies) > 1
        # One currency: named once in the headers; several: a column of their own.
        unit = "" if money or not currencies or not currencies[0] else f" ({currencies[0]})"
        columns = [
            (" / ".join(result["by"]), lambda r: r["label"]),
            *([("currency", lambda r: r["currency"] or "")] if money else []),
            ("opportunities", lambda r: f"{r['opportunities']:,}"),
            ("won", lambda r: f"{r['won']:,}"),
            ("lost", lambda r: f"{r['lost']:,}"),
            ("open", lambda r: f"{r['open']:,}"),
            (
                "win rate",
                lambda r: (
                    f"{percent(r['win_rate'])} "
                    f"({r['win_rate_numerator']:,}/{r['win_rate_denominator']:,})"
                ),
            ),
            ("revenue won" + unit, lambda r: _money(r["revenue"])),
            ("average deal" + unit, lambda r: _money(r["average_deal"])),
            ("median cycle (days)", lambda r: _days(r["median_cycle_days"])),
        ]
        rows = [*result["rows"], *result["totals"]]
        title = "Opportunities by " + ", ".join(result["by"])
        print_rows(self.stdout, title, columns, rows)
        self.stdout.write(
            "Win rate = won / (won + lost); open deals are not lost. Cycle: created to "
            "close, won deals."
        )
        for line in notes(result):
            self.stdout.write(line)
