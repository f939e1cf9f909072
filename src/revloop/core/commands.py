"""The shape every revloop command shares: ``--json`` output and one-line errors."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from revloop.core.errors import RevloopError, as_domain_error
from revloop.engine.errors import EngineInputError


def read_text_file(name: str) -> tuple[Path, str]:
    """The path and UTF-8 text of the file a command was given, or a one-line reason."""
    path = Path(name)
    try:
        return path, path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None


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

    def execute(self, *args: Any, **options: Any) -> str | None:
        """Run the command; a domain error becomes its one-line reason on stderr and
        its exit code (:mod:`revloop.core.errors`), the same for every command."""
        try:
            return super().execute(*args, **options)
        except (RevloopError, EngineInputError) as exc:
            error = as_domain_error(exc)
            assert error is not None
            raise CommandError(error.message, returncode=error.exit_code) from None

    def emit(self, result: Any, options: dict[str, Any], human: Callable[[], None]) -> None:
        if options["as_json"]:
            self.stdout.write(json.dumps(result, cls=DjangoJSONEncoder, indent=2))
        else:
            human()


class SubcommandCommand(RevloopCommand):
    """A command whose first argument picks a subcommand, run by the method ``_<name>``.

    Subclasses add subparsers with ``dest="action"``.
    """

    def handle(self, *args: Any, **options: Any) -> None:
        action: Callable[[dict[str, Any]], None] = getattr(self, f"_{options['action']}")
        action(options)
