"""``revloop people merge A B [C …]``: merge duplicates B, C … into A."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.people.access import access_person_id
from revloop.people.merge import do_merge_people


class Command(RevloopCommand):
    help = "Work with people: merge duplicates into one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        merge = sub.add_parser("merge", help="merge DUPLICATE … into SURVIVOR (ids or emails)")
        merge.add_argument("survivor")
        merge.add_argument("duplicates", nargs="+")
        add_json_flag(merge)

    def handle(self, *args: Any, **options: Any) -> None:
        survivor = access_person_id(options["survivor"])
        duplicates = [access_person_id(d) for d in options["duplicates"]]
        summary = do_merge_people(survivor, duplicates, by=None)
        result = {"survivor_id": survivor, **asdict(summary)}
        self.emit(
            result,
            options,
            lambda: self.stdout.write(
                f"Merged {summary.people_removed} into person {survivor}; moved "
                + (", ".join(f"{n} {k}" for k, n in summary.moved.items()) or "nothing")
            ),
        )
