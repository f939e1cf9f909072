"""``revloop leads report --by source``: leads, leads with an opportunity, leads won
and conversion (won / leads) per label of any lead column."""

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
from revloop.pipeline.reports import leads_by


class Command(RevloopCommand):
    help = "Reports on leads by their own columns (source, persona, country, imported ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser(
            "report", help="leads, with an opportunity, won and conversion (won / leads) per label"
        )
        add_report_arguments(report, "source, persona, country, origin")

    def handle(self, *args: Any, **options: Any) -> None:
        run_report(self, options, leads_by, self._human)

    def _human(self, result: dict[str, Any]) -> None:
        columns = [
            (" / ".join(result["by"]), lambda r: r["label"]),
            ("leads", lambda r: f"{r['leads']:,}"),
            ("with opportunity", lambda r: f"{r['opportunities']:,}"),
            ("won", lambda r: f"{r['won']:,}"),
            (
                "conversion",
                lambda r: (
                    f"{percent(r['conversion_rate'])} "
                    f"({r['conversion_rate_numerator']:,}/{r['conversion_rate_denominator']:,})"
                ),
            ),
        ]
        print_rows(
            self.stdout,
            "Leads by " + ", ".join(result["by"]),
            columns,
            [*result["rows"], *result["totals"]],
        )
        self.stdout.write(
            "Conversion = leads with a won opportunity / leads; each lead counts once."
        )
        for line in notes(result):
            self.stdout.write(line)
