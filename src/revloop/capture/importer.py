"""CSV imports: stream the file, store good rows in batches, report every bad one.

The reading and validation rules live in ``revloop.engine.imports``; here records
become rows. Each kind of record has a natural key, so importing a file twice
changes nothing the second time, and a run killed half-way and started again ends
exactly where one clean run would:

- people by their mailbox (the canonical email),
- accounts by external id, else domain, else name,
- touches by event id (derived from the row's content when the file has none),
- opportunities by external id, else name within the account.

Good rows are committed batch by batch; with ``strict`` (or ``dry_run``) the
whole import is one transaction that is rolled back when any row was bad (or
always), so the counts still say exactly what would have happened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from revloop.activity.lookups import campaign_ids, content_ids
from revloop.activity.models import Touch
from revloop.core.bulk import insert_frame, values_for_keys
from revloop.core.values import fill_known
from revloop.engine.identity.accounts import AccountMatcher, PersonToMatch
from revloop.engine.identity.email import normalize_email, normalized_parts
from revloop.engine.imports import (
    AccountRecord,
    ErrorCsvWriter,
    ImportOptions,
    OpportunityRecord,
    PersonRecord,
    RowFailure,
    read_records,
)
from revloop.engine.imports.batches import ValidatedBatch, validated_batches
from revloop.engine.imports.prefetch import ProcessPrefetch
from revloop.lifecycle.models import StageTransition
from revloop.people.identity import (
    PROFILE_FIELDS,
    PersonSeed,
    cached_account_matcher,
    resolve_people,
)
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity, OpportunityChange
from revloop.scoring.jobs import rescore_changed_on_commit
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
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged_duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_rows: int = 0
    rows: int = 0
    seconds: float = 0.0
    format: str = ""
    error_csv: str | None = None
    committed: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "merged_duplicates": self.merged_duplicates,
            "errors": self.errors,
            "error_rows": self.error_rows,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "format": self.format,
            "error_csv": self.error_csv,
            "committed": self.committed,
        }


class _RollbackError(Exception):
    """Raised inside the import transaction to undo a strict or dry run."""


def error_csv_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.errors.csv")


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


def _properties(record: Any, *, owner_id: int | None) -> dict[str, Any]:
    extra = dict(record.properties)
    if record.owner and owner_id is None:
        extra["owner"] = record.owner  # an owner revloop does not know is kept, not lost
    return extra


class _Writer:
    def __init__(self, summary: ImportSummary, now: datetime) -> None:
        self.summary = summary
        self.now = now
        self.users = _Users()

    def count(self, outcome: str, n: int = 1) -> None:
        setattr(self.summary, outcome, getattr(self.summary, outcome) + n)

    def write(self, records: Any) -> None:
        """Store one batch: a list of records, or a frame for touches."""
        raise NotImplementedError


class _PeopleWriter(_Writer):
    def write(self, records: Sequence[PersonRecord]) -> None:
        emails = {r.canonical_email: normalize_email(r.email) for r in records}
        first = {}
        for r in records:
            first.setdefault(r.canonical_email, r)
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
            person = people[resolved[record.canonical_email].person_id]
            if record is not first[record.canonical_email]:
                self.count("merged_duplicates")
            fill_known(person, self._values(record))
            if record.stage is not None:
                final_stage[person.pk] = record.stage.value
        transitions = []
        changed: dict[int, set[str]] = {}
        for pk, person in people.items():
            names = {f for f in tracked if getattr(person, f) != before[pk][f]}
            stage = final_stage.get(pk)
            if stage is not None and stage != person.stage:
                transitions.append(
                    StageTransition(
                        person_id=pk,
                        from_stage=person.stage,
                        to_stage=stage,
                        at=self.now,
                        by_rule="import",
                    )
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
        fields = set().union(*changed.values())
        dirty = [people[pk] for pk, names in changed.items() if names]
        if dirty:
            Person.objects.bulk_update(dirty, sorted(fields | {"updated_at"}), batch_size=500)
        StageTransition.objects.bulk_create(transitions)

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
                **_properties(record, owner_id=owner_id),
                # Firmographics belong to the account; kept here when the file has them.
                **({"industry": record.industry} if record.industry else {}),
                **(
                    {"employee_count": record.employee_count}
                    if record.employee_count is not None
                    else {}
                ),
            },
        }


class _AccountWriter(_Writer):
    def write(self, records: Sequence[AccountRecord]) -> None:
        ext = {r.external_id for r in records if r.external_id}
        domains = {r.domain for r in records if r.domain}
        names = {r.name.casefold() for r in records}
        existing = list(
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
                "properties": _properties(record, owner_id=owner_id),
            }
            account = (
                (by_ext.get(record.external_id) if record.external_id else None)
                or (by_domain.get(record.domain) if record.domain else None)
                or by_name.get(record.name.casefold())
            )
            if account is None:
                account = Account(
                    created_at=record.created_at or self.now,
                    **{k: v for k, v in values.items() if v is not None},
                )
                account.save()
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
            Account.objects.bulk_update(
                changed.values(), sorted(fields | {"updated_at"}), batch_size=500
            )


class _TouchWriter(_Writer):
    """Touches arrive as a frame (see ``touch_batch``), never as a million row objects."""

    def write(self, touches: pl.DataFrame) -> None:
        keys = touches.get_column("canonical_email").unique().to_list()
        person_ids = values_for_keys(Person, "email_key", [k for k in keys if k])
        # Each new person's earliest touch in the batch (file order breaks ties) creates them.
        first_seen = (
            touches.filter(
                (pl.col("canonical_email") != "")
                & ~pl.col("canonical_email").is_in(list(person_ids))
            )
            .sort("canonical_email", "occurred_at", "row")
            .unique("canonical_email", keep="first", maintain_order=True)
        )
        created = resolve_people(
            [
                PersonSeed(
                    email=normalized_parts(email, canonical), seen_at=seen_at, source=channel
                )
                for email, canonical, seen_at, channel in first_seen.select(
                    "email", "canonical_email", "occurred_at", "channel"
                ).iter_rows()
            ]
        )
        person_ids.update((key, found.person_id) for key, found in created.items())
        touches = touches.with_columns(
            campaign_key=pl.when(pl.col("campaign") != "")
            .then(pl.col("campaign"))
            .otherwise(pl.col("utm_campaign"))
        )
        campaigns = campaign_ids(set(touches.get_column("campaign_key").unique()) - {""})
        content = content_ids(set(touches.get_column("content").unique()) - {""})
        frame = touches.select(
            "event_id",
            pl.col("canonical_email")
            .replace_strict(person_ids, default=None, return_dtype=pl.Int64)
            .alias("person_id"),
            "anonymous_id",
            "occurred_at",
            "type",
            "channel",
            pl.col("campaign_key")
            .replace_strict(campaigns, default=None, return_dtype=pl.Int64)
            .alias("campaign_id"),
            pl.col("content")
            .replace_strict(content, default=None, return_dtype=pl.Int64)
            .alias("content_id"),
            "url",
            "utm_source",
            "utm_medium",
            pl.col("campaign_key").alias("utm_campaign"),
            "utm_content",
            "utm_term",
            _properties_with_unknown_content(touches, content),
        )
        inserted = insert_frame(Touch, frame, skip_conflicts_on="event_id")
        self.count("created", inserted)
        self.count("unchanged", touches.height - inserted)


def _properties_with_unknown_content(touches: pl.DataFrame, known: Mapping[str, int]) -> pl.Series:
    """The row's properties, plus the content name when no asset of that name exists,
    so that nothing the file said is lost."""
    properties = touches.get_column("properties").to_list()
    unknown = touches.select(
        (pl.col("content") != "") & ~pl.col("content").is_in(list(known))
    ).to_series()
    contents = touches.get_column("content").to_list()
    for index in unknown.arg_true().to_list():
        extra = json.loads(properties[index])
        extra["content"] = contents[index]
        properties[index] = json.dumps(extra, ensure_ascii=False)
    return pl.Series("properties", properties, dtype=pl.Utf8)


class _OpportunityWriter(_Writer):
    def __init__(self, summary: ImportSummary, now: datetime) -> None:
        super().__init__(summary, now)
        self._matcher: AccountMatcher | None = None

    def _account_id(self, record: OpportunityRecord) -> int | None:
        if record.account_external_id:
            found = (
                Account.objects.filter(external_id=record.account_external_id)
                .values_list("id", flat=True)
                .first()
            )
            if found:
                return found
        if not record.account_name:
            return None
        exact = (
            Account.objects.annotate(lname=Lower("name"))
            .filter(lname=record.account_name.casefold())
            .values_list("id", flat=True)
            .first()
        )
        if exact:
            return exact
        if self._matcher is None:
            self._matcher = cached_account_matcher()
        match = self._matcher.match(PersonToMatch(company=record.account_name))
        return int(match.account_id) if match.account_id is not None else None

    def write(self, records: Sequence[OpportunityRecord]) -> None:
        for record in records:
            account_id = self._account_id(record)
            owner_id = self.users.find(record.owner)
            contact_id = None
            if record.contact_email:
                contact_id = (
                    Person.objects.filter(email_key=normalize_email(record.contact_email).canonical)
                    .values_list("id", flat=True)
                    .first()
                )
            lookup = (
                Opportunity.objects.filter(external_id=record.external_id)
                if record.external_id
                else Opportunity.objects.filter(name=record.name, account_id=account_id)
            )
            opportunity = lookup.order_by("id").first()
            values: dict[str, Any] = {
                "name": record.name,
                "account_id": account_id,
                "primary_contact_id": contact_id,
                "amount": record.amount,
                "currency": record.currency,
                "stage": record.stage.value,
                "close_date": record.close_date,
                "owner_id": owner_id,
                "source": record.source,
                "closed_at": record.closed_at,
                "outcome_reason": record.outcome_reason,
                "competitor": record.competitor,
                "external_id": record.external_id,
                "properties": _properties(record, owner_id=owner_id),
            }
            if opportunity is None:
                created_at = record.created_at or self.now
                opportunity = Opportunity.objects.create(
                    created_at=created_at, **{k: v for k, v in values.items() if v is not None}
                )
                if record.stage.is_closed and opportunity.closed_at is None:
                    opportunity.closed_at = self.now
                    opportunity.save(update_fields=["closed_at"])
                OpportunityChange.objects.create(
                    opportunity=opportunity,
                    at=created_at,
                    field="stage",
                    old_value="",
                    new_value=record.stage.value,
                )
                self.count("created")
                continue
            before = {
                "stage": opportunity.stage,
                "amount": opportunity.amount,
                "close_date": opportunity.close_date,
            }
            names = fill_known(opportunity, values)
            if names:
                opportunity.save(update_fields=names)
                OpportunityChange.objects.bulk_create(
                    OpportunityChange(
                        opportunity=opportunity,
                        at=self.now,
                        field=name,
                        old_value=_text(old),
                        new_value=_text(getattr(opportunity, name)),
                    )
                    for name, old in before.items()
                    if name in names
                )
            self.count("updated" if names else "unchanged")


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


_WRITERS: dict[str, type[_Writer]] = {
    "people": _PeopleWriter,
    "accounts": _AccountWriter,
    "touches": _TouchWriter,
    "opportunities": _OpportunityWriter,
}


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
        if self._writer is None:
            self._file = self.path.open("w", encoding="utf-8", newline="")
            self._writer = ErrorCsvWriter(self._file, self.header)
        self._writer.add(failure)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self.summary.error_csv = str(self.path)
        elif self.path.exists():
            self.path.unlink()  # a fixed file leaves no stale error report behind


def _read_ahead(
    source: Path, entity: str, *, format_name: str, options: ImportOptions
) -> Iterator[ValidatedBatch]:
    """The file's validated batches; a large file is read in a second process.

    Reading and validating cost about as much as writing, so on two cores the next
    batch is read while this one is written. A small file is not worth a process.
    """
    arguments: dict[str, Any] = {
        "format_name": format_name,
        "options": options,
        "batch_size": BATCH_SIZE,
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
) -> ImportSummary:
    """Import ``source`` as ``entity`` (see the module doc); never raises for a bad row."""
    started = time.perf_counter()
    summary = ImportSummary(committed=not dry_run)
    writer = _WRITERS[entity](summary, timezone.now())
    options = options or ImportOptions()
    # Read here only for the header and format; the rows are read by _read_ahead.
    stream = read_records(source, entity, format_name=format_name, options=options)
    summary.format = stream.format
    errors = _ErrorReport(summary, error_csv_path(source), stream.header)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")

    def write_all() -> None:
        for batch in _read_ahead(source, entity, format_name=stream.format, options=options):
            summary.rows += batch.rows
            for failure in batch.failures:
                errors.add(failure)
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
        rescore_changed_on_commit(full=_RESCORED_BY[entity] == "full", trigger="import")
    summary.seconds = time.perf_counter() - started
    progress(1.0)
    return summary
