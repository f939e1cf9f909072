"""The analytics tables written as Parquet folders a lake engine reads in place.

:func:`export_parquet` writes every table of :data:`~.tables.COLUMNS` under
``<folder>/<stored table name>/`` with the stored column names, as
``load_tables`` reads them (``REVLOOP_SPARK_PARQUET`` points Spark at the folder):
times as UTC timestamps (microseconds), dates as dates, ids as int64, money as
float64. Touches, by far the largest table, are partitioned by UTC day
(``activity_touch/day=2026-01-31/part-0.parquet``).

Later runs are incremental: each day's touches are summed into a fingerprint (count
and sums of every id column), kept in ``<folder>/_revloop_export.json``; only days whose
fingerprint changed are rewritten (new touches, a merge moving touches to another
person, an erasure unlinking them), days left with no touches are removed. The other
tables are small next to the touches and rewritten whole. ``since`` limits the
touches looked at to days from that date on; earlier partitions stay as they are.

A file is written under a hidden name and renamed into place, so a reader never sees
half of one (Spark and Arrow skip names starting with ``.`` or ``_``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from revloop.engine.analytics._ibis import ArrowTable, Table, pa
from revloop.engine.analytics.tables import (
    COLUMNS,
    US_PER_DAY,
    Kind,
    Tables,
    normalised_name,
    scratch,
    to_arrow,
)

STATE_FILE = "_revloop_export.json"
#: Touches read from the database at once: the days of one read add up to about this.
_BATCH_ROWS = 2_000_000
_EPOCH = date(1970, 1, 1)
#: The id columns whose sums, with the count, make a day's fingerprint.
_FINGERPRINT = ("id", "person_id", "campaign_id", "content_id")


class ExportError(ValueError):
    """The folder cannot be written or holds another export's files; the message says which."""


@dataclass
class ExportReport:
    """What one export wrote: rows per table, and the touch days rewritten and removed."""

    folder: str
    rows: dict[str, int] = field(default_factory=dict)
    days_written: list[str] = field(default_factory=list)
    days_removed: list[str] = field(default_factory=list)
    days_unchanged: int = 0
    touches_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "rows": self.rows,
            "touch_days_written": len(self.days_written),
            "touch_days_removed": len(self.days_removed),
            "touch_days_unchanged": self.days_unchanged,
            "touches_written": self.touches_written,
        }


def export_parquet(tables: Tables, folder: Path, since: date | None = None) -> ExportReport:
    """Write ``tables`` as Parquet under ``folder`` (module docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    state = _read_state(folder)
    report = ExportReport(folder=str(folder))
    with scratch():
        for name in COLUMNS:
            if name == "touch":
                continue
            stored = tables.sources[name]
            data = _stored_columns(to_arrow(getattr(tables, name), tables), name, tables)
            _write_file(data, folder / stored.table / "part-0.parquet")
            report.rows[stored.table] = data.num_rows
        days = _export_touches(tables, folder, since, state, report)
    _write_state(folder, {"touch_days": days})
    return report


# Touches ---------------------------------------------------------------------------------


def _day_key(day_number: int) -> str:
    return (_EPOCH + timedelta(days=day_number)).isoformat()


def _touch_days(tables: Tables, since: date | None) -> tuple[Table, Any]:
    touch = tables.touch
    day = (touch.occurred_us // US_PER_DAY).cast("int64")
    touch = touch.mutate(_day=day)
    if since is not None:
        touch = touch.filter(touch._day >= (since - _EPOCH).days)
    return touch, touch._day


def _fingerprints(tables: Tables, touch: Table) -> dict[str, list[int]]:
    sums = {f"s_{c}": touch[c].fill_null(0).sum().cast("int64") for c in _FINGERPRINT}
    grouped = touch.group_by("_day").agg(n=touch.count(), **sums)
    rows = pl.from_arrow(to_arrow(grouped, tables))
    assert isinstance(rows, pl.DataFrame)
    return {
        _day_key(int(row[0])): [int(v or 0) for v in row[1:]]
        for row in rows.select("_day", "n", *sums).iter_rows()
    }


def _export_touches(
    tables: Tables,
    folder: Path,
    since: date | None,
    state: Mapping[str, Any],
    report: ExportReport,
) -> dict[str, list[int]]:
    root = folder / tables.sources["touch"].table
    touch, day = _touch_days(tables, since)
    now = _fingerprints(tables, touch)
    before: dict[str, list[int]] = dict(state.get("touch_days", {}))
    first_day = since.isoformat() if since is not None else ""
    looked_at = {d: v for d, v in before.items() if d >= first_day}
    on_disk = {p.name.removeprefix("day=") for p in root.glob("day=*")} if root.exists() else set()
    changed = sorted(d for d, v in now.items() if looked_at.get(d) != v or d not in on_disk)
    removed = sorted(d for d in looked_at if d not in now)
    for batch in _batches(changed, now):
        numbers = [(date.fromisoformat(d) - _EPOCH).days for d in batch]
        chosen = touch if len(batch) == len(now) else touch.filter(day.isin(numbers))
        data = pl.from_arrow(to_arrow(chosen, tables))
        assert isinstance(data, pl.DataFrame)
        for (number,), part in data.partition_by("_day", as_dict=True).items():
            arrow = _stored_columns(part.drop("_day").to_arrow(), "touch", tables)
            _write_file(arrow, root / f"day={_day_key(int(number))}" / "part-0.parquet")
            report.touches_written += arrow.num_rows
    for key in removed:
        shutil.rmtree(root / f"day={key}", ignore_errors=True)
    report.days_written = changed
    report.days_removed = removed
    report.days_unchanged = len(now) - len(changed)
    report.rows[tables.sources["touch"].table] = sum(v[0] for v in now.values())
    kept = {d: v for d, v in before.items() if d < first_day}
    return {**kept, **now}


def _batches(days: list[str], counts: Mapping[str, list[int]]) -> Iterator[list[str]]:
    batch: list[str] = []
    rows = 0
    for key in days:
        if batch and rows + counts[key][0] > _BATCH_ROWS:
            yield batch
            batch, rows = [], 0
        batch.append(key)
        rows += counts[key][0]
    if batch:
        yield batch


# Columns and files -----------------------------------------------------------------------

_STORED_TYPE: Mapping[Kind, Any] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "time": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}


def _stored_columns(data: ArrowTable, name: str, tables: Tables) -> ArrowTable:
    """Normalised columns back to the stored names and types (module docstring)."""
    source = tables.sources[name]
    arrays: dict[str, Any] = {}
    for column, kind in COLUMNS[name].items():
        values = data.column(normalised_name(column, kind)).combine_chunks()
        if kind == "time":
            values = values.cast(pa.int64()).cast(pa.timestamp("us")).cast(_STORED_TYPE[kind])
        elif kind == "date":
            values = values.cast(pa.int64()).cast(pa.timestamp("us")).cast(pa.date32())
        else:
            values = values.cast(_STORED_TYPE[kind])
        arrays[source.column(column)] = values
    return pa.table(arrays)


def _write_file(data: ArrowTable, path: Path) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    path.parent.mkdir(parents=True, exist_ok=True)
    hidden = path.with_name("." + path.name)
    pq.write_table(data, hidden, compression="zstd")
    hidden.replace(path)


def _read_state(folder: Path) -> dict[str, Any]:
    path = folder / STATE_FILE
    if not path.exists():
        if any(folder.iterdir()):
            raise ExportError(f"{folder}: not empty and holds no {STATE_FILE}; pick a new folder")
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(f"{path}: unreadable ({exc})") from None
    if not isinstance(state, dict):
        raise ExportError(f"{path}: not an export state")
    return state


def _write_state(folder: Path, days: Mapping[str, Any]) -> None:
    path = folder / STATE_FILE
    hidden = folder / f".{STATE_FILE}"
    payload = {"exported_at": datetime.now(tz=UTC).isoformat(), **days}
    hidden.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
    hidden.replace(path)
