"""``revloop dedupe``: find and merge duplicate people across the whole database."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import RevloopCommand
from revloop.people.actions import do_dedupe


class Command(RevloopCommand):
    help = (
        "Find duplicate people (same mailbox; optionally the same name at one account) "
        "and merge them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--by-name", action="store_true", help="also same first+last name at one account"
        )
        parser.add_argument("--dry-run", action="store_true", help="report, merge nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        result = do_dedupe(by_name_and_account=options["by_name"], dry_run=options["dry_run"])
        verb = "would merge" if result.dry_run else "merged"

        def human() -> None:
            self.stdout.write(
                f"Scanned {result.people_scanned:,} people: {result.clusters:,} duplicate groups, "
                f"{verb} {result.summary.people_removed:,} people."
            )

        self.emit(asdict(result), options, human)
