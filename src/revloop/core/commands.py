"""The shape every revloop command shares: ``--json`` output and one-line errors."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.core.serializers.json import DjangoJSONEncoder


def add_json_flag(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", dest="as_json", help="print one JSON document"
    )


class RevloopCommand(BaseCommand):
    """A command with a ``--json`` mode whose output is one JSON document on stdout."""

    # Operational commands run from scripts and cron, often many times a minute; the
    # system checks (a second and a half of loading every URL and API schema) belong
    # to `revloop check` and to start-up of the web server, not to each of them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_json_flag(parser)

    def emit(self, result: Any, options: dict[str, Any], human: Callable[[], None]) -> None:
        if options["as_json"]:
            self.stdout.write(json.dumps(result, cls=DjangoJSONEncoder, indent=2))
        else:
            human()
