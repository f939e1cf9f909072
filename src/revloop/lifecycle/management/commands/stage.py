"""``revloop stage move PERSON STAGE``: a manual move by the token's user, as the contract says."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.lifecycle.actions import do_move_person
from revloop.people.access import access_person_id
from revloop.users.commands import acting_user


class Command(RevloopCommand):
    help = "Move a person between lifecycle stages, as a user the contract allows."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        moving = sub.add_parser("move", help="move PERSON (email or id) to STAGE")
        moving.add_argument("person")
        moving.add_argument("stage")
        moving.add_argument("--reason", default=None, help="reason code, where the move needs one")
        moving.add_argument("--note", default="")
        add_json_flag(moving)

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user("moving a person between stages", required=True)
        assert user is not None
        record = do_move_person(
            access_person_id(options["person"]),
            options["stage"],
            by=user,
            reason_code=options["reason"],
            note=options["note"],
        )
        result = {
            "person_id": record.person_id,
            "from_stage": record.from_stage,
            "to_stage": record.to_stage,
            "at": record.at,
            "by": user.username,
            "reason_code": record.reason_code,
            "contract_version": record.contract_version.number if record.contract_version else None,
        }
        self.emit(
            result,
            options,
            lambda: self.stdout.write(
                f"Moved person {record.person_id} from {record.from_stage} to {record.to_stage}."
            ),
        )
