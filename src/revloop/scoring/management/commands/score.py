"""``revloop score [--all]``: rescore the people who changed (or everyone) and store it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import RevloopCommand
from revloop.scoring.actions import do_rescore


class Command(RevloopCommand):
    help = (
        "Rescore under the active contract: people with new touches or edits since the last"
        " run (or everyone with --all), then make the automatic stage moves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--all", action="store_true", dest="full", help="rescore everyone")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = do_rescore(full=options["full"])

        def human() -> None:
            scope = "everyone" if summary.full else "changed people"
            moved = ", ".join(f"{n:,} to {stage}" for stage, n in sorted(summary.moved.items()))
            self.stdout.write(
                f"Rescored {summary.people:,} people ({scope}) under contract"
                f" v{summary.contract_version} in {summary.seconds:.1f} s;"
                f" automatic moves: {moved or 'none'}."
            )

        self.emit(summary.to_dict(), options, human)
