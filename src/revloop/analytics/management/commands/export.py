"""Export the tables the analytics read, for Spark or DuckDB over a lake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from revloop.analytics.commands import day
from revloop.analytics.exports import export_tables
from revloop.core.commands import SubcommandCommand, add_json_flag


class Command(SubcommandCommand):
    help = (
        "Write the tables the analytics read as Parquet folders (touches partitioned by "
        "day, only changed days rewritten on later runs), for --engine spark with "
        "REVLOOP_SPARK_PARQUET=DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        parquet = actions.add_parser("parquet", help="write Parquet folders under DIR")
        parquet.add_argument("folder", type=Path, metavar="DIR")
        parquet.add_argument(
            "--since",
            type=day,
            help="only look at touches from this day on (YYYY-MM-DD); earlier days stay",
        )
        add_json_flag(parquet)

    def _parquet(self, options: dict[str, Any]) -> None:
        report = export_tables(options["folder"], options["since"])

        def human() -> None:
            for table, rows in report.rows.items():
                self.stdout.write(f"{table:<32} {rows:>12,} rows")
            self.stdout.write(
                f"touch days: {len(report.days_written):,} written "
                f"({report.touches_written:,} touches), {len(report.days_removed):,} removed, "
                f"{report.days_unchanged:,} unchanged -> {report.folder}"
            )

        self.emit(report.as_dict(), options, human)
