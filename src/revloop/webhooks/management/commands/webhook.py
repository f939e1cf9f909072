"""``revloop webhook add|list|test``: where events go, and whether they get there."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.webhooks.actions import do_add_endpoint, get_endpoint, send_test
from revloop.webhooks.models import EVENTS, WebhookEndpoint


def _row(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "active": endpoint.active,
        "description": endpoint.description,
        "created_at": endpoint.created_at,
    }
    if with_secret:
        row["secret"] = endpoint.secret
    return row


class Command(RevloopCommand):
    help = "Manage outgoing webhooks: add an endpoint, list them, send a test event."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="send events to URL (the signing secret is printed)")
        add.add_argument("url")
        add.add_argument(
            "--events",
            required=True,
            help=f"comma-separated, any of: {', '.join(EVENTS)}",
        )
        add.add_argument("--secret", help="signing secret (default: a random one)")
        add.add_argument("--description", default="")
        add.add_argument(
            "--allow-private",
            action="store_true",
            help="let it reach a private or loopback address (an intranet server)",
        )
        sub.add_parser("list", help="list endpoints (never their secrets)")
        test = sub.add_parser("test", help="send a test event to an endpoint now")
        test.add_argument("id", type=int)
        for subparser in (add, test, sub.choices["list"]):
            add_json_flag(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        endpoint = do_add_endpoint(
            options["url"],
            options["events"].split(","),
            secret=options["secret"],
            description=options["description"],
            allow_private=options["allow_private"],
        )
        self.emit(
            _row(endpoint, with_secret=True),
            options,
            lambda: self.stdout.write(
                f"Endpoint {endpoint.pk}: {endpoint.url} ({', '.join(endpoint.events)})\n"
                f"signing secret: {endpoint.secret}"
            ),
        )

    def _list(self, options: dict[str, Any]) -> None:
        rows = [_row(e) for e in WebhookEndpoint.objects.all()]

        def human() -> None:
            for row in rows:
                state = "active" if row["active"] else "inactive"
                self.stdout.write(
                    f"{row['id']:>4}  {state:<8}  {row['url']}  {','.join(row['events'])}"
                )

        self.emit(rows, options, human)

    def _test(self, options: dict[str, Any]) -> None:
        attempt = send_test(get_endpoint(options["id"]))
        self.emit(
            attempt.to_dict(),
            options,
            lambda: self.stdout.write(
                f"{attempt.outcome}: HTTP {attempt.status_code or '-'} {attempt.error}".rstrip()
            ),
        )
        if attempt.outcome != "delivered":
            raise CommandError(f"test delivery failed: {attempt.error}")
