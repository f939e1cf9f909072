"""CSV imports stored: people, accounts and touches batch by batch, with the run's report.

The file is read and validated by :mod:`revloop.capture.importer` (and the rules of
``revloop.engine.imports``); here records become rows. Good rows are committed batch by
batch; with ``strict`` (or ``dry_run``) the whole import is one transaction that is
rolled back when any row was bad (or always), so the counts still say exactly what
would have happened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from revloop.capture.importer import (
    ErrorReport,
    ImportSummary,
    Writer,
    add_record_warnings,
    add_row_warnings,
    error_csv_path,
    file_notes,
    identity_of,
    kept_properties,
    read_ahead,
    register_writer,
    writer_for,
)
from revloop.capture.touches import store_touches
from revloop.core.bulk import bulk_session, column_of, update_from_frame
from revloop.core.signals import STAGE_MOVES, announce_records_imported, stages_set
from revloop.core.values import fill_known
from revloop.engine.imports import AccountRecord, ImportOptions, PersonRecord, read_records
from revloop.engine.imports.records import external_identity_key
from revloop.engine.imports.report import StageLabels
from revloop.people.actions import do_adopt_email, do_create_account, do_update_accounts
from revloop.people.identity import PROFILE_FIELDS, PersonSeed, resolve_people
from revloop.people.models import Account, Person

#: Imports that change scores, and how the worker catches up afterwards: people and
#: touches leave a trail for the incremental rescore; account fields (industry,
#: size) change the fit of everyone there, which only a full rescore sees.
_RESCORED_BY = {"people": "changed", "touches": "changed", "accounts": "full"}


class _RollbackError(Exception):
    """Raised inside the import transaction to undo a strict or dry run."""


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
        emails = {r.identity_key: identity_of(r) for r in records}
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


register_writer("people", _PeopleWriter)
register_writer("accounts", _AccountWriter)
register_writer("touches", _TouchWriter)


def do_import_file(
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
    writer = writer_for(entity)(summary, timezone.now(), options)
    # Read here only for the header and format; the rows are read by read_ahead.
    stream = read_records(
        source, entity, format_name=format_name, options=options, encoding=encoding
    )
    summary.format = stream.format
    summary.file_notes = file_notes(stream.reader)
    errors = ErrorReport(summary, error_csv_path(source), stream.header)

    def write_all() -> None:
        batches = read_ahead(
            source, entity, format_name=stream.format, options=options, encoding=encoding
        )
        for batch in batches:
            summary.rows += batch.rows
            for failure in batch.failures:
                errors.add(failure)
            if isinstance(batch.good, list):
                add_record_warnings(summary, batch.good)
            if len(batch.good):
                with transaction.atomic():
                    writer.write(batch.good)
            if batch.progress is not None:
                progress(batch.progress)

    try:
        with bulk_session():
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
