"""``revloop import {people,accounts,touches,opportunities,campaign-members} FILE``: CSV in,
nothing lost."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from revloop.capture import members
from revloop.capture.actions import do_import_campaign_members, do_import_file
from revloop.capture.importer import ENTITIES, report_text
from revloop.capture.uploads import UploadOptions, parse_columns
from revloop.core.commands import RevloopCommand
from revloop.engine.imports import ImportOptions


class Command(RevloopCommand):
    help = (
        "Import a CSV file (generic, HubSpot or Salesforce export). Bad rows are reported "
        "and written to FILE.errors.csv; good rows are imported (none with --strict)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("entity", choices=(*ENTITIES, members.ENTITY))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format", default="auto", choices=["auto", "generic", "hubspot", "salesforce"]
        )
        parser.add_argument(
            "--strict", action="store_true", help="import nothing if any row is bad"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, store nothing")
        parser.add_argument("--stage-mapping", type=Path, help="your own stage_mapping.yaml")
        parser.add_argument("--timezone", default="UTC", help="zone of times written without one")
        parser.add_argument("--date-order", choices=["mdy", "dmy"], default="mdy")
        parser.add_argument("--currency", default="USD", help="currency of amounts without one")
        parser.add_argument(
            "--decimal-comma",
            action="store_true",
            help="read an ambiguous 1,234 as 1.234 (amounts written the German/French way)",
        )
        parser.add_argument(
            "--encoding",
            help="the file's encoding (default: sniffed; UTF-8, UTF-16 or Windows-1252)",
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="read FIELD from the column HEADER (repeatable), e.g. amount=declared_revenue",
        )
        parser.add_argument(
            "--stage",
            default="",
            help="stage of rows without one, e.g. won for a file of closed deals, mql for MQLs",
        )
        members_only = parser.add_argument_group("campaign-members")
        members_only.add_argument("--campaign", help="the campaign of every row (else a column)")
        members_only.add_argument("--group-column", help="the column naming each one's group")
        members_only.add_argument("--control", help="the group value of the control group")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"no such file: {source}")
        import_options = UploadOptions(
            timezone=options["timezone"],
            date_order=options["date_order"],
            currency=options["currency"],
            decimal_comma=options["decimal_comma"],
            stage=options["stage"],
            columns=parse_columns(options["column"]),
            stage_mapping=options["stage_mapping"],
        ).import_options()
        if options["entity"] == members.ENTITY:
            self._members(source, import_options, options)
            return

        console = Console(stderr=True)
        columns = (
            TextColumn(f"Importing {source.name}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("import", total=1.0)
            summary = do_import_file(
                options["entity"],
                source,
                format_name=options["format"],
                options=import_options,
                strict=options["strict"],
                dry_run=options["dry_run"],
                progress=lambda fraction: bar.update(task, completed=fraction),
                encoding=options["encoding"],
            )

        self.emit(summary.as_dict(), options, lambda: self.stdout.write(report_text(summary)))
        if summary.error_rows:
            sys.exit(1)

    def _members(
        self, source: Path, import_options: ImportOptions, options: dict[str, Any]
    ) -> None:
        summary = do_import_campaign_members(
            source,
            campaign=options["campaign"],
            group_column=options["group_column"],
            control_value=options["control"],
            default_tz=import_options.default_tz,
            date_order=import_options.date_order,
            strict=options["strict"],
            dry_run=options["dry_run"],
        )

        def human() -> None:
            state = "" if summary.committed else " (nothing stored)"
            added = ", ".join(f"{n:,} {group}" for group, n in sorted(summary.added.items()))
            self.stdout.write(
                f"{summary.rows:,} rows: members added {added or 'none'}, "
                f"{summary.unchanged:,} already members, {summary.people_created:,} people "
                f"created, {summary.error_rows:,} bad rows in {summary.seconds:.1f} s{state}"
            )
            for campaign in summary.campaigns.values():
                made = " (created)" if campaign["created"] else ""
                self.stdout.write(f"  campaign {campaign['name']} (id {campaign['id']}){made}")
            if summary.conflicts:
                self.stdout.write(
                    f"  {summary.conflicts:,} members kept the group they already had"
                )
            for error in summary.errors[:20]:
                self.stdout.write(f"  row {error['row']}, {error['field']}: {error['reason']}")

        self.emit(summary.as_dict(), options, human)
        if summary.error_rows:
            sys.exit(1)
