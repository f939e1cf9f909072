"""CSV imports: stream the file, store good rows in batches, report every bad one.

The reading and validation rules live in ``revloop.engine.imports``; here records
become rows. Each kind of record has a natural key, so importing a file twice
changes nothing the second time, and a run killed half-way and started again ends
exactly where one clean run would:

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

import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from revloop.capture.touches import store_touches
from revloop.core.bulk import column_of, update_from_frame
from revloop.core.signals import STAGE_MOVES, announce_records_imported, stages_set
from revloop.core.values import fill_known
from revloop.engine.identity.email import NormalizedEmail, normalize_email
from revloop.engine.imports import (
    AccountRecord,
    ErrorCsvWriter,
    ImportOptions,
    PersonRecord,
    RowFailure,
    read_records,
)
from revloop.engine.imports.batches import ValidatedBatch, validated_batches
from revloop.engine.imports.errors import RowError
from revloop.engine.imports.prefetch import ProcessPrefetch
from revloop.engine.imports.records import external_identity_key
from revloop.engine.imports.report import StageLabels
from revloop.people.actions import do_adopt_email, do_create_account, do_update_accounts
from revloop.people.identity import (
    PROFILE_FIELDS,
    PersonSeed,
    resolve_people,
)
from revloop.people.models import Account, Person
from revloop.users.models import User

ENTITIES = ("people", "accounts", "touches", "opportunities")
BATCH_SIZE = 10_000
#: Files from this size on are read and validated in a second process (see _read_ahead).
READ_AHEAD_MIN_BYTES = 1 << 20
#: The embedded database's page cache during an import, in KiB: the touch indexes of a
#: big file then stay in memory between batches instead of being re-read page by page.
SQLITE_IMPORT_CACHE_KIB = 262_144
MAX_REPORTED_ERRORS = 1_000
#: Imports that change scores, and how the worker catches up afterwards: people and
#: touches leave a trail for the incremental rescore; account fields (industry,
#: size) change the fit of everyone there, which only a full rescore sees.
_RESCORED_BY = {"people": "changed", "touches": "changed", "accounts": "full"}


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


class _RollbackError(Exception):
    """Raised inside the import transaction to undo a strict or dry run."""


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


def _identity(record: PersonRecord) -> NormalizedEmail:
    """What resolve_people keys a person by: the mailbox, or the external id's key."""
    if record.canonical_email:
        return normalize_email(record.email)
    return NormalizedEmail("", external_identity_key(record.external_id), "", "", False)


def _adopt_emails(records: Sequence[PersonRecord]) -> None:
    """A person first imported without an email takes it when a later file gives both
    their external id and an email, so they stay one person."""
    wanted = {
        external_identity_key(r.external_id): r
        for r in records
        if r.canonical_email and r.external_id
    }
    if not wanted:
        return
    waiting = dict(Person.objects.filter(email_key__in=wanted).values_list("email_key", "id"))
    if not waiting:
        return
    taken = set(
        Person.objects.filter(
            email_key__in={wanted[key].canonical_email for key in waiting}
        ).values_list("email_key", flat=True)
    )
    for key, pk in waiting.items():
        record = wanted[key]
        if record.canonical_email not in taken:  # else that mailbox is someone already
            do_adopt_email(pk, record.email, record.canonical_email)
            taken.add(record.canonical_email)


_IMPORTED_MOVES = {
    name: STAGE_MOVES[name] for name in ("person_id", "from_stage", "to_stage", "at", "by_rule")
}


class _PeopleWriter(Writer):
    def write(self, records: Sequence[PersonRecord]) -> None:
        _adopt_emails(records)
        emails = {r.identity_key: _identity(r) for r in records}
        first: dict[str, PersonRecord] = {}
        for r in records:
            first.setdefault(r.identity_key, r)
        resolved = resolve_people(
            [
                PersonSeed(
                    email=emails[key],
                    seen_at=r.created_at or self.now,
                    source=r.source,
                    company=r.company,
                    profile={"country": r.country},
                )
                for key, r in first.items()
            ],
            match_names=True,
        )
        people = Person.objects.in_bulk([v.person_id for v in resolved.values()])
        tracked = [*PROFILE_FIELDS, "source", "consent", "external_id", "owner_id", "properties"]
        before = {pk: {f: getattr(p, f) for f in tracked} for pk, p in people.items()}
        final_stage: dict[int, str] = {}
        # Rows of one mailbox are applied in file order: a later non-empty value wins and
        # an empty cell never erases. Only the end state is compared with the database,
        # so a file with conflicting rows imports the same way every time.
        for record in records:
            person = people[resolved[record.identity_key].person_id]
            if record is not first[record.identity_key]:
                self.count("merged_duplicates")
            fill_known(person, self._values(record))
            if record.stage is not None:
                final_stage[person.pk] = record.stage.value
        transitions: list[dict[str, Any]] = []
        changed: dict[int, set[str]] = {}
        for pk, person in people.items():
            names = {f for f in tracked if getattr(person, f) != before[pk][f]}
            stage = final_stage.get(pk)
            if stage is not None and stage != person.stage:
                transitions.append(
                    {
                        "person_id": pk,
                        "from_stage": person.stage,
                        "to_stage": stage,
                        "at": self.now,
                        "by_rule": "import",
                    }
                )
                person.stage, person.stage_changed_at = stage, self.now
                names |= {"stage", "stage_changed_at"}
            changed[pk] = names
        for key in first:
            outcome = resolved[key]
            if outcome.created:
                self.count("created")
            else:
                self.count("updated" if changed[outcome.person_id] else "unchanged")
        _update_people(people, changed, self.now)
        stages_set.send(sender=Person, moves=pl.DataFrame(transitions, schema=_IMPORTED_MOVES))

    def _values(self, record: PersonRecord) -> dict[str, Any]:
        owner_id = self.users.find(record.owner)
        return {
            "first_name": record.first_name,
            "last_name": record.last_name,
            "title": record.title,
            "phone": record.phone,
            "persona": record.persona,
            "country": record.country,
            "source": record.source,
            "consent": record.consent,
            "external_id": record.external_id,
            "owner_id": owner_id,
            "properties": {
                **kept_properties(record, owner_id=owner_id),
                # Firmographics belong to the account; kept here when the file has them.
                **({"industry": record.industry} if record.industry else {}),
                **(
                    {"employee_count": record.employee_count}
                    if record.employee_count is not None
                    else {}
                ),
            },
        }


def _update_people(
    people: Mapping[int, Person], changed: Mapping[int, set[str]], now: datetime
) -> None:
    """Write each person's changed fields with one ``UPDATE … FROM`` per batch.

    The ORM's bulk_update builds a CASE per field that grows with every row, which
    made a file of new people spend most of its import there. A field a row did not
    change is sent as NULL and kept (no field set by an import is ever NULL).
    """
    fields = sorted(set().union(*changed.values(), set()) - {"stage_changed_at"})
    dirty = sorted(pk for pk, names in changed.items() if names)
    if not dirty:
        return
    json_fields = {"properties"}
    columns: dict[str, list[Any]] = {"id": dirty}
    for name in fields:
        column = column_of(Person, name)
        values: list[Any] = []
        for pk in dirty:
            if name not in changed[pk]:
                values.append(None)
            elif name in json_fields:
                values.append(json.dumps(getattr(people[pk], name), ensure_ascii=False))
            else:
                values.append(getattr(people[pk], column))
        columns[column] = values
    schema = {c: (pl.Int64 if c in {"id", "owner_id"} else pl.String) for c in columns}
    frame = pl.DataFrame(columns, schema=schema)
    table = Person._meta.db_table
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    assignments = {
        c: (
            f"COALESCE(CAST(s.{c} AS {json_type}), {table}.{c})"
            if c in json_fields
            else f"COALESCE(s.{c}, {table}.{c})"
        )
        for c in columns
        if c != "id"
    }
    moment = connection.ops.adapt_datetimefield_value(now)
    constants = [moment]
    assignments["updated_at"] = "%s"
    if "stage" in columns:
        assignments["stage_changed_at"] = (
            f"CASE WHEN s.stage IS NULL THEN {table}.stage_changed_at ELSE %s END"
        )
        constants.append(moment)
    update_from_frame(table, frame, assignments=assignments, constants=constants)


class _AccountWriter(Writer):
    def write(self, records: Sequence[AccountRecord]) -> None:
        ext = {r.external_id for r in records if r.external_id}
        domains = {r.domain for r in records if r.domain}
        names = {r.name.casefold() for r in records}
        existing: list[Account] = list(
            Account.objects.annotate(lname=Lower("name")).filter(
                Q(external_id__in=ext) | Q(domain__in=domains) | Q(lname__in=names)
            )
        )
        by_ext = {a.external_id: a for a in existing if a.external_id}
        by_domain = {a.domain: a for a in existing if a.domain}
        by_name = {a.name.casefold(): a for a in existing}
        changed: dict[int, Account] = {}
        fields: set[str] = set()
        seen: set[int] = set()
        for record in records:
            owner_id = self.users.find(record.owner)
            values = {
                "name": record.name,
                "domain": record.domain,
                "industry": record.industry,
                "employee_count": record.employee_count,
                "country": record.country,
                "region": record.region,
                "tier": record.tier,
                "external_id": record.external_id,
                "owner_id": owner_id,
                "properties": kept_properties(record, owner_id=owner_id),
            }
            account = (
                (by_ext.get(record.external_id) if record.external_id else None)
                or (by_domain.get(record.domain) if record.domain else None)
                or by_name.get(record.name.casefold())
            )
            if account is None:
                account = do_create_account(
                    created_at=record.created_at or self.now,
                    **{k: v for k, v in values.items() if v is not None},
                )
                self.count("created")
            else:
                names_changed = fill_known(account, values)
                if names_changed:
                    changed[account.pk] = account
                    fields.update(names_changed)
                # A second row for the same account in one file merges into the first.
                if account.pk in seen:
                    self.count("merged_duplicates")
                else:
                    self.count("updated" if names_changed else "unchanged")
            seen.add(account.pk)
            for index, key in ((by_ext, account.external_id), (by_domain, account.domain)):
                if key:
                    index[key] = account
            by_name[account.name.casefold()] = account
        if changed:
            do_update_accounts(changed.values(), sorted(fields | {"updated_at"}))


class _TouchWriter(Writer):
    """Touches arrive as a frame (see ``touch_batch``), never as a million row objects."""

    def write(self, touches: pl.DataFrame) -> None:
        stored = store_touches(touches, now=self.now, announce=False)
        self.count("created", stored.inserted)
        self.count("unchanged", touches.height - stored.inserted)
        add_row_warnings(self.summary, stored.warnings)


#: What each kind of record becomes. The contexts above capture add theirs when Django
#: starts (:func:`register_writer`): the pipeline writes opportunities.
_WRITERS: dict[str, type[Writer]] = {
    "people": _PeopleWriter,
    "accounts": _AccountWriter,
    "touches": _TouchWriter,
}


def register_writer(entity: str, writer: type[Writer]) -> None:
    """Let ``writer`` store the records of ``entity`` (one of :data:`ENTITIES`)."""
    _WRITERS[entity] = writer


class _ErrorReport:
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


def _add_warnings(summary: ImportSummary, records: Sequence[Any]) -> None:
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


def _file_notes(reader: Any) -> list[str]:
    notes = []
    if reader.transcoded_from:
        notes.append(f"read as {reader.transcoded_from.upper()}")
    elif reader.encoding != "utf-8":
        notes.append(f"read as {reader.encoding}")
    if reader.cr_only:
        notes.append("lines end in CR alone")
    return notes


def _read_ahead(
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


def run_import(
    entity: str,
    source: Path,
    *,
    format_name: str = "auto",
    options: ImportOptions | None = None,
    strict: bool = False,
    dry_run: bool = False,
    progress: Callable[[float], None] = lambda fraction: None,
    encoding: str | None = None,
) -> ImportSummary:
    """Import ``source`` as ``entity`` (see the module doc); never raises for a bad row."""
    started = time.perf_counter()
    options = options or ImportOptions()
    summary = ImportSummary(
        committed=not dry_run,
        entity=entity,
        stage_labels=StageLabels(mapping_file=options.stages.source),
    )
    writer = _WRITERS[entity](summary, timezone.now(), options)
    # Read here only for the header and format; the rows are read by _read_ahead.
    stream = read_records(
        source, entity, format_name=format_name, options=options, encoding=encoding
    )
    summary.format = stream.format
    summary.file_notes = _file_notes(stream.reader)
    errors = _ErrorReport(summary, error_csv_path(source), stream.header)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")

    def write_all() -> None:
        batches = _read_ahead(
            source, entity, format_name=stream.format, options=options, encoding=encoding
        )
        for batch in batches:
            summary.rows += batch.rows
            for failure in batch.failures:
                errors.add(failure)
            if isinstance(batch.good, list):
                _add_warnings(summary, batch.good)
            if len(batch.good):
                with transaction.atomic():
                    writer.write(batch.good)
            if batch.progress is not None:
                progress(batch.progress)

    try:
        if strict or dry_run:
            try:
                with transaction.atomic():
                    write_all()
                    if dry_run or summary.error_rows:
                        raise _RollbackError
            except _RollbackError:
                summary.committed = False
        else:
            write_all()
    finally:
        errors.close()
        stream.reader.close()
    if summary.committed and entity in _RESCORED_BY:
        announce_records_imported(Person, full=_RESCORED_BY[entity] == "full")
    summary.seconds = time.perf_counter() - started
    progress(1.0)
    return summary


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
