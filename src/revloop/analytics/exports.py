"""The analytics tables exported for a lake engine: ``revloop export parquet DIR``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from revloop.analytics.engines import open_tables
from revloop.core.errors import InvalidInputError
from revloop.engine.analytics.export import ExportError, ExportReport, export_parquet


def export_tables(folder: Path, since: date | None = None) -> ExportReport:
    """Write the tables the analytics read under ``folder`` as Parquet, read straight
    from the database (see :mod:`revloop.engine.analytics.export`)."""
    try:
        with open_tables("database") as tables:
            return export_parquet(tables, folder, since)
    except (ExportError, OSError) as exc:
        raise InvalidInputError(str(exc)) from None
