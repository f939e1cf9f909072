"""``revloop restore FILE``: put a snapshot from ``revloop backup`` back, replacing everything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from revloop.core.backup import restore
from revloop.core.commands import RevloopCommand, add_json_flag


class Command(RevloopCommand):
    help = "Replace the database's contents with a snapshot written by revloop backup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        add_json_flag(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        restore(path)
        self.emit({"restored": str(path)}, options, lambda: self.stdout.write(f"Restored {path}"))
