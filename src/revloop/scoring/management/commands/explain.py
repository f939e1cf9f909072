"""``revloop explain EMAIL``: why a person scores what they score, rule by rule."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import RevloopCommand
from revloop.people.access import access_person_id
from revloop.scoring.services import explain_person


class Command(RevloopCommand):
    help = "Explain a person's score under the active contract: every rule, decay and cap."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("person", help="email or id")

    def handle(self, *args: Any, **options: Any) -> None:
        person_id = access_person_id(options["person"])
        version, explanation = explain_person(person_id)
        result = {"contract_version": version, **explanation.to_dict()}
        self.emit(
            result,
            options,
            lambda: self.stdout.write(f"Contract v{version}. {explanation.render()}"),
        )
