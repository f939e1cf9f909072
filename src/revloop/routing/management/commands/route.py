"""``revloop route [PERSON…] [--all-unassigned] [--json]``: route MQLs no rep is working."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.core.commands import RevloopCommand
from revloop.people.access import access_person_id
from revloop.routing.actions import do_route_people


class Command(RevloopCommand):
    help = "Hand waiting MQLs to reps by the contract's routing rules."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("people", nargs="*", help="ids or emails (default: every waiting MQL)")
        parser.add_argument(
            "--all-unassigned", action="store_true", help="every waiting MQL (the default)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] and options["all_unassigned"]:
            raise CommandError("give people or --all-unassigned, not both")
        ids = [access_person_id(p) for p in options["people"]] or None
        summary = do_route_people(ids)
        self.emit(summary, options, lambda: self._human(summary))

    def _human(self, summary: dict[str, Any]) -> None:
        self.stdout.write(
            f"Routed {summary['assigned']:,} of {summary['considered']:,} unowned MQLs"
            f" in {summary['seconds']:.1f} s; {summary['unassigned']:,} found nobody."
        )
        for rule, count in summary["by_rule"].items():
            self.stdout.write(f"  rule {rule}: {count:,}")
        for rep, count in summary["by_rep"].items():
            self.stdout.write(f"  {rep}: {count:,}")
        for example in summary["unassigned_examples"][:5]:
            self.stdout.write(f"  person {example['person_id']}: {example['explanation']}")
