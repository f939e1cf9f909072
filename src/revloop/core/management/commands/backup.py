"""``revloop backup FILE``: a consistent snapshot of the whole database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection

from revloop.core.backup import backup
from revloop.core.commands import RevloopCommand, add_json_flag


class Command(RevloopCommand):
    help = "Write a consistent snapshot of the database to FILE (restore it with revloop restore)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        add_json_flag(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        size = backup(path)
        result = {"file": str(path), "bytes": size, "database": connection.vendor}
        self.emit(
            result, options, lambda: self.stdout.write(f"Backed up to {path} ({size:,} bytes)")
        )
