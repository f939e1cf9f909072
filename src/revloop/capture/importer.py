"""CSV imports: stream the file, store good rows in batches, report every bad one.

The reading and validation rules live in ``revloop.engine.imports``; this module reads
the file in batches, keeps the report and the error file, and holds the writer of each
kind of record (:func:`register_writer`); ``revloop.capture.actions.do_import_file``
runs an import and stores capture's kinds. Each kind of record has a natural key, so
importing a file twice changes nothing the second time, and a run killed half-way and
started again ends exactly where one clean run would:

- people by their mailbox (the canonical email),
- accounts by external id, else domain, else name,
- touches by event id (derived from the row's content when the file has none),
- opportunities by external id, else name within the account.

A person without an email (a lead export that names people by its own ids) is found
and kept by that external id instead (identity key ``id:<external id>``).
Opportunities keep every date the file gives: ``close_date`` as written, ``closed_at``
from the close date for won and lost ones, ``created_at`` from the created date; the
import time stands in only for a date the file does not have, and the report says so.

Good rows are committed batch by batch; with ``strict`` (or ``dry_run``) the
whole import is one transaction that is rolled back when any row was bad (or
always), so the counts still say exactly what would have happened.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from revloop.engine.identity.email import NormalizedEmail, normalize_email
from revloop.engine.imports import (
    ErrorCsvWriter,
    ImportOptions,
    PersonRecord,
    RowFailure,
)
from revloop.engine.imports.batches import ValidatedBatch, validated_batches
from revloop.engine.imports.errors import RowError
from revloop.engine.imports.prefetch import ProcessPrefetch
from revloop.engine.imports.records import external_identity_key
from revloop.engine.imports.report import StageLabels
from revloop.users.models import User

ENTITIES = ("people", "accounts", "touches", "opportunities")
BATCH_SIZE = 10_000
#: Files from this size on are read and validated in a second process (see read_ahead).
READ_AHEAD_MIN_BYTES = 1 << 20
MAX_REPORTED_ERRORS = 1_000


@dataclass
class ImportSummary:
    """What an import did. ``rows`` were read; each is ``created`` (stored new),
    ``updated``, ``unchanged``, a ``merged_duplicates`` of an earlier row, or skipped as
    one of the ``error_rows``. ``errors`` and ``warnings`` list each problem with its row
    (the first :data:`MAX_REPORTED_ERRORS` of each); ``unknown_stages`` groups the stage
    labels no mapping placed, with the line to add for each."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged_duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_rows: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warning_rows: int = 0
    #: (field, reason) → [how many, first rows], over every warning, not only those listed.
    warning_kinds: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    rows: int = 0
    seconds: float = 0.0
    format: str = ""
    entity: str = ""
    file_notes: list[str] = field(default_factory=list)
    error_csv: str | None = None
    committed: bool = True
    stage_labels: StageLabels = field(default_factory=StageLabels)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.rows,
            "stored": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "merged_duplicates": self.merged_duplicates,
            "skipped": self.error_rows,
            "created": self.created,
            "errors": self.errors,
            "error_rows": self.error_rows,
            "warnings": self.warnings,
            "warning_rows": self.warning_rows,
            "warning_kinds": [
                {"field": f, "reason": r, "rows": n, "first_rows": first}
                for (f, r), (n, first) in self.warning_kinds.items()
            ],
            "unknown_stages": self.stage_labels.as_list(),
            "unknown_stages_message": self.stage_labels.message(),
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "format": self.format,
            "entity": self.entity,
            "file_notes": self.file_notes,
            "error_csv": self.error_csv,
            "committed": self.committed,
        }


def error_csv_path(source: Path) -> Path:
    """Beside the file; in the working directory when the file's folder is read-only."""
    beside = source.with_name(f"{source.stem}.errors.csv")
    if os.access(source.parent, os.W_OK):
        return beside
    return Path.cwd() / beside.name


class _Users:
    """Owners arrive as a username, an email or a full name."""

    def __init__(self) -> None:
        self._by_key: dict[str, int] = {}
        for pk, username, email, first, last in User.objects.values_list(
            "id", "username", "email", "first_name", "last_name"
        ):
            for key in (username, email, f"{first} {last}".strip()):
                if key:
                    self._by_key.setdefault(key.casefold(), pk)

    def find(self, text: str) -> int | None:
        return self._by_key.get(text.strip().casefold()) if text else None


def kept_properties(record: Any, *, owner_id: int | None) -> dict[str, Any]:
    extra = dict(record.properties)
    if record.owner and owner_id is None:
        extra["owner"] = record.owner  # an owner revloop does not know is kept, not lost
    return extra


class Writer:
    """Stores one kind of record, batch by batch, counting what happened to each."""

    def __init__(self, summary: ImportSummary, now: datetime, options: ImportOptions) -> None:
        self.summary = summary
        self.now = now
        self.options = options
        self.users = _Users()

    def count(self, outcome: str, n: int = 1) -> None:
        setattr(self.summary, outcome, getattr(self.summary, outcome) + n)

    def write(self, records: Any) -> None:
        """Store one batch: a list of records, or a frame for touches."""
        raise NotImplementedError


def identity_of(record: PersonRecord) -> NormalizedEmail:
    """What resolve_people keys a person by: the mailbox, or the external id's key."""
    if record.canonical_email:
        return normalize_email(record.email)
    return NormalizedEmail("", external_identity_key(record.external_id), "", "", False)


#: What each kind of record becomes. Capture's actions register people, accounts and
#: touches; the contexts above add theirs when Django starts (:func:`register_writer`):
#: the pipeline writes opportunities.
_WRITERS: dict[str, type[Writer]] = {}


def register_writer(entity: str, writer: type[Writer]) -> None:
    """Let ``writer`` store the records of ``entity`` (one of :data:`ENTITIES`)."""
    _WRITERS[entity] = writer


def writer_for(entity: str) -> type[Writer]:
    return _WRITERS[entity]


class ErrorReport:
    """Bad rows: counted and listed in the summary, and written to the error CSV."""

    def __init__(self, summary: ImportSummary, path: Path, header: Sequence[str]) -> None:
        self.summary = summary
        self.path = path
        self.header = header
        self._file: Any = None
        self._writer: ErrorCsvWriter | None = None

    def add(self, failure: RowFailure) -> None:
        summary = self.summary
        summary.error_rows += 1
        if len(summary.errors) < MAX_REPORTED_ERRORS:
            summary.errors.extend(e.as_dict() for e in failure.errors)
        for error in failure.errors:
            if error.code == "unknown_stage":
                summary.stage_labels.add(error)
        if self._writer is None:
            try:
                self._file = self.path.open("w", encoding="utf-8", newline="")
            except OSError:  # a read-only folder or file system: write it here instead
                self.path = Path.cwd() / self.path.name
                self._file = self.path.open("w", encoding="utf-8", newline="")
            self._writer = ErrorCsvWriter(self._file, self.header)
        self._writer.add(failure)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self.summary.error_csv = str(self.path)
        elif self.path.exists():
            self.path.unlink()  # a fixed file leaves no stale error report behind


def add_record_warnings(summary: ImportSummary, records: Sequence[Any]) -> None:
    for record in records:
        found = getattr(record, "warnings", ())
        if found:
            add_row_warnings(summary, found)


def add_row_warnings(summary: ImportSummary, found: Sequence[RowError]) -> None:
    """Count ``found`` in the report: each warning's row once, its kind among the kinds."""
    summary.warning_rows += len({warning.row for warning in found})
    if len(summary.warnings) < MAX_REPORTED_ERRORS:
        summary.warnings.extend(w.as_dict() for w in found)
    for warning in found:
        kind = summary.warning_kinds.setdefault((warning.field, warning.reason), [0, []])
        kind[0] += 1
        if len(kind[1]) < 5:
            kind[1].append(warning.row)


def file_notes(reader: Any) -> list[str]:
    notes = []
    if reader.transcoded_from:
        notes.append(f"read as {reader.transcoded_from.upper()}")
    elif reader.encoding != "utf-8":
        notes.append(f"read as {reader.encoding}")
    if reader.cr_only:
        notes.append("lines end in CR alone")
    return notes


def read_ahead(
    source: Path, entity: str, *, format_name: str, options: ImportOptions, encoding: str | None
) -> Iterator[ValidatedBatch]:
    """The file's validated batches; a large file is read in a second process.

    Reading and validating cost about as much as writing, so on two cores the next
    batch is read while this one is written. A small file is not worth a process.
    """
    arguments: dict[str, Any] = {
        "format_name": format_name,
        "options": options,
        "batch_size": BATCH_SIZE,
        "encoding": encoding,
    }
    if source.stat().st_size < READ_AHEAD_MIN_BYTES:
        yield from validated_batches(source, entity, **arguments)
        return
    with ProcessPrefetch(validated_batches, source, entity, **arguments) as batches:
        yield from batches


REPORTED_LINES = 20


def report_text(summary: ImportSummary) -> str:
    """The import report for people: counts, then errors, unknown stages and warnings."""
    state = "" if summary.committed else " (nothing stored)"
    notes = f"; {', '.join(summary.file_notes)}" if summary.file_notes else ""
    lines = [
        (
            f"{summary.rows:,} rows read as {summary.format} {summary.entity}{notes}: "
            f"{summary.created:,} stored, {summary.updated:,} updated, "
            f"{summary.unchanged:,} unchanged, {summary.merged_duplicates:,} duplicates "
            f"merged, {summary.error_rows:,} skipped, {summary.warning_rows:,} with warnings "
            f"in {summary.seconds:.1f} s{state}"
        )
    ]
    others = [e for e in summary.errors if e.get("code") != "unknown_stage"]
    if others:
        lines.append("Errors (these rows were skipped):")
        lines.extend(f"  {_line(e)}" for e in others[:REPORTED_LINES])
        if len(others) > REPORTED_LINES:
            lines.append(f"  … and more: see --json or {summary.error_csv}")
    message = summary.stage_labels.message()
    if message:
        lines.append(message)
    if summary.warning_kinds:
        lines.append("Warnings (these rows were stored):")
        lines.extend(_grouped(summary))
    if summary.error_csv:
        lines.append(f"Skipped rows with their reasons: {summary.error_csv}")
    return "\n".join(lines)


def _line(problem: Mapping[str, Any]) -> str:
    where = f"row {problem['row']}" + (f", {problem['field']}" if problem["field"] else "")
    value = f" ({problem['value']!r})" if problem["value"] else ""
    return f"{where}: {problem['reason']}{value}"


def _grouped(summary: ImportSummary) -> list[str]:
    """One line per kind of warning (field and reason), with its rows; a kind met once
    shows its value too."""
    by_row = {(w["row"], w["field"], w["reason"]): w for w in summary.warnings}
    lines = []
    kinds = list(summary.warning_kinds.items())
    for (field_name, reason), (count, first) in kinds[:REPORTED_LINES]:
        single = by_row.get((first[0], field_name, reason)) if count == 1 else None
        if single is not None:
            lines.append(f"  {_line(single)}")
            continue
        rows = ", ".join(map(str, first))
        more = ", …" if count > len(first) else ""
        plural = "s" if count != 1 else ""
        lines.append(f"  {field_name}: {reason}: {count:,} row{plural} (row{plural} {rows}{more})")
    if len(kinds) > REPORTED_LINES:
        lines.append("  … and more: see --json")
    return lines
