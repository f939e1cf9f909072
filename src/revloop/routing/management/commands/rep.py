"""``revloop rep away USER --from DATE --to DATE``: a rep's days away (by the token's user)."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.routing.actions import do_mark_away
from revloop.users.commands import acting_user
from revloop.users.models import User


class Command(RevloopCommand):
    help = "Mark a rep away so that routing passes them over."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        away = sub.add_parser("away", help="USER is away from DATE to DATE (both included)")
        away.add_argument("user")
        away.add_argument("--from", dest="starts", required=True, type=_date, help="YYYY-MM-DD")
        away.add_argument("--to", dest="ends", required=True, type=_date, help="YYYY-MM-DD")
        away.add_argument("--note", default="")
        add_json_flag(away)

    def handle(self, *args: Any, **options: Any) -> None:
        rep = _user(options["user"])
        actor = acting_user("marking a rep away", required=True)
        assert actor is not None
        absence = do_mark_away(
            rep, starts=options["starts"], ends=options["ends"], note=options["note"], by=actor
        )
        result = {
            "id": absence.pk,
            "user": rep.username,
            "from": absence.starts,
            "to": absence.ends,
            "note": absence.note,
            "by": actor.username,
        }
        self.emit(
            result,
            options,
            lambda: self.stdout.write(
                f"{rep.username} is away from {absence.starts} to {absence.ends}."
            ),
        )


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user named {username!r}")
    return user


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date like 2026-12-24") from None
