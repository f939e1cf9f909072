"""A DuckDB copy of the analytics tables, kept beside the database by the worker.

Copying a million leads' tables out of SQLite takes tens of seconds and gigabytes; a
report on the copy takes a second or two. So the copy is made in the background
(:func:`rebuild_copy`, the worker's periodic job) and every report that the ``duckdb``
engine computes reads the latest copy instead of making its own.

Each copy is a file named after the moment it was made and the data version it holds
(``<unix seconds>-<version>.duckdb``) in the folder ``REVLOOP_ANALYTICS_STORE``
(``$REVLOOP_HOME/analytics`` by default); the link ``current`` names the latest. A new
copy is written under another name and the link swapped in one rename, so a reader
opens either the old copy or the new one, never half of one, and never waits for the
worker: DuckDB lets any number of processes read a file that none writes.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from revloop.analytics.cache import data_version
from revloop.analytics.engines import database_tables, resolve_engine, source_mapping
from revloop.core.env import envint, envstr
from revloop.engine.analytics import Tables, connect, materialize, open_materialized
from revloop.engine.analytics._ibis import ibis

_LINK = "current"
_SUFFIX = ".duckdb"
#: Copies kept besides the current one: a reader that read the link just before a swap
#: still finds the file it named.
_KEEP_OLDER = 1


@dataclass(frozen=True)
class StoredCopy:
    """One finished copy: its file, the data version it holds and when it was made."""

    path: Path
    version: str
    built_at: datetime

    def is_usable(self, version: str | None, max_age: timedelta | None) -> bool:
        """Holds ``version`` (the live one), or was made at most ``max_age`` ago."""
        if version is not None and self.version == version:
            return True
        return max_age is not None and self.built_at >= timezone.now() - max_age


def store_dir() -> Path:
    configured = envstr("REVLOOP_ANALYTICS_STORE")
    return Path(configured) if configured else Path(settings.REVLOOP_HOME) / "analytics"


def _parse(folder: Path, name: str) -> StoredCopy | None:
    stamp, _, version = name.removesuffix(_SUFFIX).partition("-")
    if not name.endswith(_SUFFIX) or not stamp.isdigit() or not version:
        return None
    return StoredCopy(folder / name, version, datetime.fromtimestamp(int(stamp), tz=UTC))


def current_copy() -> StoredCopy | None:
    """The latest finished copy, or None before the worker has made one."""
    folder = store_dir()
    try:
        name = str((folder / _LINK).readlink())
    except OSError:
        return None
    found = _parse(folder, name)
    return found if found is not None and found.path.exists() else None


def copy_wanted() -> bool:
    """Whether reports run on DuckDB over revloop's own tables, and so read a copy."""
    return resolve_engine(None) == "duckdb" and source_mapping() is None


def rebuild_copy(*, force: bool = False) -> tuple[StoredCopy, bool]:
    """Make a new copy unless the current one holds the live data version; answers the
    current copy and whether it was made now."""
    existing = current_copy()
    # One read transaction: the copy is one moment's data, and the version read in it
    # describes exactly that moment (SQLite in WAL and PostgreSQL both keep a snapshot).
    with transaction.atomic():
        version = data_version()
        if existing is not None and existing.version == version and not force:
            return existing, False
        folder = store_dir()
        folder.mkdir(parents=True, exist_ok=True)
        built_at = timezone.now()
        name = f"{int(built_at.timestamp())}-{version}{_SUFFIX}"
        partial = folder / f"{name}.part"
        partial.unlink(missing_ok=True)
        target = connect(f"duckdb:///{partial}")
        try:
            materialize(database_tables(), target, prefix="")
            target.raw_sql("CHECKPOINT")
        finally:
            target.disconnect()
    partial.replace(folder / name)
    link = folder / f"{_LINK}.next"
    link.unlink(missing_ok=True)
    link.symlink_to(name)
    link.replace(folder / _LINK)
    _remove_older(folder, keep=name)
    made = _parse(folder, name)
    assert made is not None
    return made, True


def _remove_older(folder: Path, keep: str) -> None:
    copies = sorted(
        (p for p in folder.iterdir() if p.name.endswith(_SUFFIX) and p.name != keep),
        key=lambda p: p.name,
    )
    for old in copies[: max(0, len(copies) - _KEEP_OLDER)]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    for stray in folder.glob(f"*{_SUFFIX}.part"):
        if stray.stat().st_mtime < time.time() - 3600:
            stray.unlink(missing_ok=True)


def open_copy(copy: StoredCopy) -> Tables:
    """The tables of ``copy``, read-only; a web process's DuckDB memory is capped by
    ``REVLOOP_ANALYTICS_MEMORY_MB`` (512 by default) and spills to disk past it."""
    backend = ibis.duckdb.connect(str(copy.path), read_only=True)
    backend.raw_sql("SET TimeZone = 'UTC'")
    memory = envint("REVLOOP_ANALYTICS_MEMORY_MB", 512, minimum=64)
    backend.raw_sql(f"SET memory_limit = '{memory}MB'")
    backend.raw_sql(f"SET temp_directory = '{store_dir() / 'spill'}'")
    return open_materialized(backend)
