"""Consistent snapshots of the whole database, and putting one back.

SQLite: the online backup API copies every page while holding a read transaction,
so the snapshot is one moment even while the web server and the worker write. The
file is an ordinary SQLite database. PostgreSQL: ``pg_dump`` reads everything in one
REPEATABLE READ snapshot (its own guarantee) into its custom format, and
``pg_restore --clean --single-transaction`` replaces the database's objects with it,
all or nothing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

from revloop.core.errors import InvalidInputError

_PG_BIN_DIRS = (
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in _PG_BIN_DIRS if (Path(d) / name).exists()), None
    )
    if found is None:
        raise InvalidInputError(f"{name} is not installed; install PostgreSQL's client tools")
    return found


def _pg_args(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(settings.get("HOST") or "localhost")]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our own arguments
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InvalidInputError(f"{Path(command[0]).name} failed: {reason}")


def backup(path: Path) -> int:
    """Write a snapshot of the database to ``path``; its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        settings = connection.settings_dict
        args, env = _pg_args(settings)
        _run(
            [
                _pg_tool("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--file",
                str(path),
                str(settings["NAME"]),
            ],
            env,
        )
    else:
        raise InvalidInputError(f"no backup for {connection.vendor} databases")
    return path.stat().st_size


def restore(path: Path) -> None:
    """Replace the database's contents with the snapshot at ``path``."""
    if not path.is_file():
        raise InvalidInputError(f"no backup file at {path}")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InvalidInputError(f"{path} is not a revloop SQLite backup: {exc}") from None
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        settings = connection.settings_dict
        args, env = _pg_args(settings)
        # The restore needs the database to itself: our own session must not hold locks.
        connection.close()
        _run(
            [
                _pg_tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                str(settings["NAME"]),
                str(path),
            ],
            env,
        )
    else:
        raise InvalidInputError(f"no restore for {connection.vendor} databases")
