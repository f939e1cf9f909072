"""Create, list and revoke API tokens."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.users.actions import do_create_token, do_revoke_token
from revloop.users.models import ApiToken, TokenScope, User


class Command(RevloopCommand):
    help = "Manage API bearer tokens: create, list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token; its secret is printed once")
        create.add_argument("--user", required=True, help="username the token acts as")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--scope", choices=TokenScope.values, default=TokenScope.FULL)
        sub.add_parser("list", help="list tokens (never their secrets)")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")
        for subparser in (create, revoke, sub.choices["list"]):
            add_json_flag(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user named {options['user']!r}") from None
        token, raw = do_create_token(None, user, options["name"], options["scope"])
        result = {"token": raw, "prefix": token.prefix, "user": user.username, "scope": token.scope}
        self.emit(
            result,
            options,
            lambda: self.stdout.write(
                f"Token for {user.username} ({token.scope}); shown only now:\n{raw}"
            ),
        )

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "prefix": t.prefix,
                "name": t.name,
                "user": t.user.username,
                "scope": t.scope,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in ApiToken.objects.select_related("user")
        ]

        def human() -> None:
            for r in rows:
                state = "revoked" if r["revoked_at"] else "active"
                self.stdout.write(
                    f"{r['prefix']}  {r['user']:<16} {r['scope']:<7} {state:<8} {r['name']}"
                )

        self.emit(rows, options, human)

    def _revoke(self, options: dict[str, Any]) -> None:
        do_revoke_token(None, options["prefix"])
        self.emit({"revoked": options["prefix"]}, options, lambda: self.stdout.write("Revoked."))
