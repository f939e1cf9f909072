"""``revloop people merge A B [C …]``, ``people export EMAIL``, ``people erase EMAIL``.

Run at the server's console, these act as its operator (who holds the database anyway);
over the API the same export and erasure need an admin's token.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.people.access import access_person_id
from revloop.people.actions import do_erase_person, do_export_person, do_merge_people


class Command(RevloopCommand):
    help = "Work with people: merge duplicates; export or erase one person's data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        merge = sub.add_parser("merge", help="merge DUPLICATE … into SURVIVOR (ids or emails)")
        merge.add_argument("survivor")
        merge.add_argument("duplicates", nargs="+")
        add_json_flag(merge)
        export = sub.add_parser("export", help="print everything held on a person as JSON")
        export.add_argument("person", help="id or email")
        erase = sub.add_parser(
            "erase", help="erase a person's personal data, keeping anonymous history"
        )
        erase.add_argument("person", help="id or email")
        add_json_flag(erase)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "merge":
            self._privacy(options)
            return
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

    def _privacy(self, options: dict[str, Any]) -> None:
        pk = access_person_id(options["person"])
        if options["action"] == "export":
            document = do_export_person(None, pk)
            self.stdout.write(json.dumps(document, cls=DjangoJSONEncoder, indent=2))
            return
        erasure = do_erase_person(None, pk)
        self.emit(
            asdict(erasure),
            options,
            lambda: self.stdout.write(
                f"Erased the personal data of person {erasure.person_id}; kept their anonymous"
                " history (" + ", ".join(f"{n} {kind}" for kind, n in erasure.removed.items()) + ")"
            ),
        )
