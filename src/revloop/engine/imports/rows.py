"""Row validation: CSV rows (or API items) → typed records, or every error in the row.

A row with any bad value yields no record but a :class:`RowFailure` listing each error
as ``{row, field, value, reason}`` (``field`` is the column header the user sees), so
the import reports all problems of a row at once and imports the good rows.

**Touch ids.** A touch row without ``event_id`` gets a derived one,
``h1-`` + the first 40 hex digits of SHA-256 over the touch's content: occurred_at (in
UTC, ISO 8601), type, canonical email, anonymous id, channel, campaign, content, url
and the five UTM fields, joined with the unit separator U+001F. The row number and the
properties are left out, so re-importing the same file, the file with rows reordered or
appended, or an export with extra columns, yields the same ids and stores nothing
twice. Two genuinely separate touches identical in all of those fields (same person,
page and second) collapse into one; an export that can tell them apart should carry an
event id. ``h1`` versions the recipe so it can change without colliding.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from revloop.engine.identity.accounts import normalize_domain
from revloop.engine.identity.email import InvalidEmail, normalize_email
from revloop.engine.imports.countries import country_code
from revloop.engine.imports.errors import RowError, preview
from revloop.engine.imports.formats import BoundColumns, Entity, bind, detect_format
from revloop.engine.imports.reader import CsvReader, ProgressCallback
from revloop.engine.imports.records import (
    AccountRecord,
    OpportunityRecord,
    PersonRecord,
    Record,
    TouchRecord,
)
from revloop.engine.imports.stages import StageMapping, UnknownStage, default_stage_mapping
from revloop.engine.imports.values import (
    BadValue,
    DateOrder,
    parse_amount,
    parse_currency,
    parse_date,
    parse_datetime,
    parse_employee_count,
    parse_flag,
    salesforce_id_18,
)
from revloop.engine.vocabulary import Channel, OpportunityStage, TouchType

MAX_AMOUNT_DIGITS = 12  # Opportunity.amount: max_digits=14, decimal_places=2
EVENT_ID_PREFIX = "h1-"
#: A touch's free-text fields after its ids, in the order the derived event id hashes them.
TOUCH_LABEL_FIELDS = (
    "campaign",
    "content",
    "url",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
)


@dataclass(frozen=True)
class ImportOptions:
    """How ambiguous values are read: time zone of naive times, date order, money.

    ``columns`` (field → header) names columns the format would not find;
    ``default_stage`` is the stage label of every row whose file has no stage column
    (or an empty cell), e.g. ``won`` for a file of closed deals, ``mql`` for a file of
    MQLs.
    """

    default_tz: tzinfo = UTC
    date_order: DateOrder = "mdy"
    default_currency: str = "USD"
    decimal_separator: str = "."
    stages: StageMapping = field(default_factory=default_stage_mapping)
    columns: Mapping[str, str] = field(default_factory=dict)
    default_stage: str = ""


@dataclass(frozen=True, slots=True)
class RowFailure:
    """A row that yields no record: its errors and its original cells (for the error CSV)."""

    row: int
    errors: tuple[RowError, ...]
    values: Mapping[str, str]


# -- field parsers -------------------------------------------------------------------

Parser = Callable[[str, ImportOptions], Any]


def _datetime(text: str, options: ImportOptions) -> datetime:
    return parse_datetime(text, options.default_tz, date_order=options.date_order)


def _date(text: str, options: ImportOptions) -> Any:
    return parse_date(text, options.default_tz, date_order=options.date_order)


def _count(text: str, _options: ImportOptions) -> int:
    return parse_employee_count(text)


def _country(text: str, _options: ImportOptions) -> str:
    return country_code(text)


def _flag(text: str, _options: ImportOptions) -> bool:
    return parse_flag(text)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "_", text.casefold()).strip("_")


_TOUCH_TYPES: dict[str, TouchType] = {
    **{_key(t.value): t for t in TouchType},
    "pageview": TouchType.PAGE_VIEW,
    "visit": TouchType.PAGE_VIEW,
    "form": TouchType.FORM_SUBMIT,
    "form_submission": TouchType.FORM_SUBMIT,
    "form_fill": TouchType.FORM_SUBMIT,
    "email_opened": TouchType.EMAIL_OPEN,
    "email_clicked": TouchType.EMAIL_CLICK,
    "download": TouchType.CONTENT_DOWNLOAD,
    "webinar_attended": TouchType.WEBINAR,
    "ad": TouchType.AD_CLICK,
    "phone_call": TouchType.CALL,
}
_CHANNELS: dict[str, Channel] = {
    **{_key(c.value): c for c in Channel},
    "organic": Channel.ORGANIC_SEARCH,
    "seo": Channel.ORGANIC_SEARCH,
    "paid": Channel.PAID_SEARCH,
    "cpc": Channel.PAID_SEARCH,
    "ppc": Channel.PAID_SEARCH,
    "sem": Channel.PAID_SEARCH,
    "social_paid": Channel.PAID_SOCIAL,
    "email_marketing": Channel.EMAIL,
    "event": Channel.EVENTS,
    "webinar": Channel.WEBINARS,
    "syndication": Channel.CONTENT_SYNDICATION,
    "referrals": Channel.REFERRAL,
    "direct_traffic": Channel.DIRECT,
    "outbound": Channel.SALES_OUTREACH,
    "sales": Channel.SALES_OUTREACH,
}
_CONSENT = {
    **dict.fromkeys(("granted", "yes", "y", "true", "1", "opted_in", "subscribed"), "granted"),
    **dict.fromkeys(("denied", "no", "n", "false", "0", "opted_out", "unsubscribed"), "denied"),
    "unknown": "unknown",
}
_TIERS = {"1": "1", "2": "2", "3": "3", "tier_1": "1", "tier_2": "2", "tier_3": "3"}


def _choice(table: Mapping[str, Any], what: str) -> Parser:
    allowed = ", ".join(sorted({str(v) for v in table.values()}))
    # Files repeat a handful of spellings millions of times; remember what each meant.
    seen: dict[str, Any] = {}

    def parse(text: str, _options: ImportOptions) -> Any:
        found = seen.get(text)
        if found is None:
            found = table.get(_key(text))
            if found is None:
                raise BadValue(f"unknown {what}; use one of {allowed}")
            if len(seen) < 10_000:
                seen[text] = found
        return found

    return parse


@dataclass(frozen=True, slots=True)
class _Spec:
    name: str
    parse: Parser | None = None
    max_length: int = 0
    required: bool = False


_TEXT_LIMITS = {
    "external_id": 100,
    "first_name": 100,
    "last_name": 100,
    "title": 200,
    "phone": 40,
    "persona": 64,
    "company": 255,
    "account_external_id": 128,
    "source": 64,
    "owner": 254,
    "industry": 100,
    "region": 64,
    "event_id": 128,
    "anonymous_id": 128,
    "campaign": 200,
    "content": 255,
    "url": 2000,
    "utm_source": 200,
    "utm_medium": 200,
    "utm_campaign": 200,
    "utm_content": 200,
    "utm_term": 200,
    "account_name": 255,
    "outcome_reason": 64,
    "competitor": 100,
    "name": 255,
    "lead_status": 255,
    "contact_external_id": 100,
}


def _text(name: str, *, required: bool = False) -> _Spec:
    return _Spec(name, None, _TEXT_LIMITS.get(name, 0), required)


_SPECS: Mapping[Entity, tuple[_Spec, ...]] = {
    Entity.PEOPLE: (
        *(
            _text(n)
            for n in (
                "external_id",
                "first_name",
                "last_name",
                "title",
                "phone",
                "persona",
                "company",
                "account_external_id",
                "source",
                "owner",
                "industry",
                "lead_status",
            )
        ),
        _Spec("country", _country),
        _Spec("employee_count", _count),
        _Spec("created_at", _datetime),
        _Spec("consent", _choice(_CONSENT, "consent")),
    ),
    Entity.ACCOUNTS: (
        *(_text(n) for n in ("external_id", "industry", "region", "owner")),
        _text("name", required=True),
        _Spec("country", _country),
        _Spec("employee_count", _count),
        _Spec("created_at", _datetime),
        _Spec("tier", _choice(_TIERS, "tier")),
    ),
    Entity.TOUCHES: (
        *(_text(n) for n in ("event_id", "anonymous_id", *TOUCH_LABEL_FIELDS)),
        _Spec("occurred_at", _datetime, required=True),
        _Spec("type", _choice(_TOUCH_TYPES, "touch type"), required=True),
        _Spec("channel", _choice(_CHANNELS, "channel")),
    ),
    Entity.OPPORTUNITIES: (
        *(
            _text(n)
            for n in (
                "external_id",
                "account_name",
                "account_external_id",
                "contact_external_id",
                "owner",
                "source",
                "outcome_reason",
                "competitor",
                "name",
            )
        ),
        # Read as a moment: a close date with a time says when a deal closed.
        _Spec("close_date", _datetime),
        _Spec("created_at", _datetime),
        _Spec("closed_at", _datetime),
        _Spec("is_won", _flag),
        _Spec("is_closed", _flag),
    ),
}
#: Fields that hold a record's id in the source system; Salesforce's are stored in their
#: 18-character form.
_ID_FIELDS = ("external_id", "account_external_id", "contact_external_id")


# -- validation --------------------------------------------------------------------


class RowValidator:
    """Turns the cells of one row into a record of ``columns.entity`` (or a failure)."""

    def __init__(self, columns: BoundColumns, options: ImportOptions | None = None) -> None:
        self.columns = columns
        self.options = options or ImportOptions()
        specs = [(s.name, s.parse, s.max_length, s.required) for s in _SPECS[columns.entity]]
        self._all_specs = specs
        # A file only fills the fields it has columns for; the rest need no look at all.
        self._file_specs = [spec for spec in specs if spec[0] in columns.fields or spec[3]]
        self._labels = {
            name: columns.header[positions[0]] for name, positions in columns.fields.items()
        }
        self._column_order = {name: i for i, name in enumerate(columns.header)}
        self._salesforce_ids = columns.format == "salesforce" and any(
            name in columns.fields for name in _ID_FIELDS
        )
        self._finish: Callable[[_Row], Record | None] = {
            Entity.PEOPLE: self._person,
            Entity.ACCOUNTS: self._account,
            Entity.TOUCHES: self._touch,
            Entity.OPPORTUNITIES: self._opportunity,
        }[columns.entity]

    @property
    def specs(self) -> list[tuple[str, Parser | None, int, bool]]:
        """``(field, parser, max length, required)`` of each field this file fills."""
        return list(self._file_specs)

    def label(self, field_name: str) -> str:
        """The column header behind a record field (the field name if unmapped)."""
        return self._labels.get(field_name, field_name)

    def validate(self, row: int, values: Sequence[str]) -> Record | RowFailure:
        fields, properties = self.columns.split(values)
        result = self._validate(row, fields, properties, self._file_specs)
        if isinstance(result, tuple):
            original = dict(zip(self.columns.header, values, strict=True))
            return RowFailure(row, result, original)
        return result

    def validate_fields(
        self, row: int, fields: Mapping[str, str], properties: Mapping[str, str] | None = None
    ) -> Record | tuple[RowError, ...]:
        """The record for already-split ``fields`` (field → text), e.g. from an API body."""
        return self._validate(row, fields, dict(properties or {}), self._all_specs)

    def _validate(
        self,
        row: int,
        fields: Mapping[str, str],
        properties: dict[str, str],
        specs: list[tuple[str, Parser | None, int, bool]],
    ) -> Record | tuple[RowError, ...]:
        state = _Row(row, fields, properties, {}, [], self)
        parsed = state.parsed
        options = self.options
        get = fields.get
        for name, parse, max_length, required in specs:
            text = get(name, "")
            if not text:
                if required:
                    state.fail(name, "", "missing")
            elif max_length and len(text) > max_length:
                state.fail(name, text, f"longer than {max_length} characters")
            elif parse is None:
                parsed[name] = text
            else:
                try:
                    parsed[name] = parse(text, options)
                except BadValue as exc:
                    state.fail(name, text, str(exc))
        if self._salesforce_ids:
            for name in _ID_FIELDS:
                if name in parsed:
                    parsed[name] = salesforce_id_18(parsed[name])
        record = self._finish(state)
        if state.errors or record is None:
            # In the file's column order, as the user reads the row.
            order = self._column_order
            return tuple(sorted(state.errors, key=lambda e: order.get(e.field, len(order))))
        return record

    # -- per entity -------------------------------------------------------------

    def _person(self, state: _Row) -> PersonRecord | None:
        parsed = state.parsed
        # A person without an email is known by their external id (see records).
        email = state.email("email", required=not parsed.get("external_id"))
        lead_status = parsed.pop("lead_status", "")
        if lead_status:
            state.properties.setdefault("lead_status", lead_status)
        lifecycle = state.fields.get("stage", "") or self.options.default_stage
        try:
            stage = self.options.stages.person_stage(lifecycle, lead_status)
        except BadValue as exc:
            state.fail("stage", lifecycle, str(exc), code=_code(exc))
            return None
        if state.errors or (email is None and not parsed.get("external_id")):
            return None
        return PersonRecord(
            row=state.row,
            email=email.address if email else "",
            canonical_email=email.canonical if email else "",
            is_free_mail=email.is_free_mail if email else False,
            stage=stage,
            properties=state.properties,
            **parsed,
        )

    def _account(self, state: _Row) -> AccountRecord | None:
        website = state.fields.get("domain", "")
        domain = normalize_domain(website) if website else ""
        if website and not domain:
            state.fail("domain", website, "not a domain or website address")
        if state.errors:
            return None
        return AccountRecord(
            row=state.row, domain=domain, properties=state.properties, **state.parsed
        )

    def _touch(self, state: _Row) -> TouchRecord | None:
        email = state.email("email", required=False)
        parsed = state.parsed
        if email is None and not parsed.get("anonymous_id") and not state.errors:
            state.fail("email", "", "a touch needs an email or an anonymous_id")
        if state.errors:
            return None
        canonical = email.canonical if email else ""
        event_id = parsed.pop("event_id", "")
        derived = not event_id
        if derived:
            event_id = derive_event_id(parsed, canonical)
        return TouchRecord(
            row=state.row,
            event_id=event_id,
            event_id_derived=derived,
            email=email.address if email else "",
            canonical_email=canonical,
            properties=state.properties,
            **parsed,
        )

    def _opportunity(self, state: _Row) -> OpportunityRecord | None:
        parsed = state.parsed
        stage = self._opportunity_stage(state)
        currency, amount = self._money(state)
        contact = state.email("contact_email", required=False)
        zone = self.options.default_tz
        close_moment: datetime | None = parsed.pop("close_date", None)
        close_date = close_moment.astimezone(zone).date() if close_moment else None
        created_at: datetime | None = parsed.get("created_at")
        if stage is not None and close_date is None and not state.fields.get("close_date"):
            if stage.is_closed:
                state.fail(
                    "close_date", "", f"missing: a {stage.value} opportunity needs its close date"
                )
            else:
                state.warn("close_date", "", "not in the file; the import date is used")
        if close_date is not None and created_at is not None:
            created_on = created_at.astimezone(self.options.default_tz).date()
            if close_date < created_on:
                state.warn(
                    "close_date",
                    f"{close_date.isoformat()}, created {created_on.isoformat()}",
                    "closes before it was created",
                )
        # A derived name fits the field: long account names lose their tail, not the row.
        name = (
            parsed.pop("name", "")
            or _derived_name(parsed, close_date, contact.address if contact else "")[
                : _TEXT_LIMITS["name"]
            ]
        )
        if not name:
            state.fail("name", "", "missing, and no account, id or date to name it by")
        if state.errors or stage is None or amount is None:
            return None
        if stage.is_closed and "closed_at" not in parsed and close_moment and close_date:
            has_time = ":" in state.fields.get("close_date", "")
            parsed["closed_at"] = (
                close_moment if has_time else _closed_at(close_date, created_at, zone)
            )
        return OpportunityRecord(
            row=state.row,
            name=name,
            stage=stage,
            amount=amount,
            currency=currency,
            close_date=close_date,
            contact_email=contact.address if contact else "",
            account_name_column=self.label("account_name") if "account_name" in parsed else "",
            amount_given=bool(state.fields.get("amount")),
            properties=state.properties,
            warnings=tuple(state.warnings),
            **parsed,
        )

    def _opportunity_stage(self, state: _Row) -> OpportunityStage | None:
        """The stage from the label and, when the file has them, the IsWon / IsClosed flags.

        The flags are the CRM's own verdict, so they decide open / won / lost; the label
        then only places an open opportunity. A label that differs from the stage it
        became is kept in properties under its column, so "Closed Won - Not Paid" and
        "Closed Won - Paid" stay apart.
        """
        stages = self.options.stages
        parsed = state.parsed
        won: bool | None = parsed.pop("is_won", None)
        closed: bool | None = parsed.pop("is_closed", None)
        label = state.fields.get("stage", "") or self.options.default_stage
        by_label = stages.known_opportunity(label) if label else None
        stage: OpportunityStage
        if won is True:
            stage = OpportunityStage.WON
        elif closed is True and won is False:
            stage = OpportunityStage.LOST
        elif closed is True:  # closed, and only the label can say how
            if by_label is None or not by_label.is_closed:
                state.fail(
                    "stage",
                    label,
                    "the Closed column says closed, but the label is not won or lost",
                )
                return None
            stage = by_label
        elif closed is False and by_label is not None and by_label.is_closed:
            state.fail("stage", label, f"says {by_label.value}, but the Closed column says open")
            return None
        elif by_label is not None:
            stage = by_label
        elif not label:
            state.fail("stage", "", "missing")
            return None
        else:
            try:
                stage = stages.opportunity(label)
            except BadValue as exc:
                state.fail("stage", label, str(exc), code=_code(exc))
                return None
        if label and "stage" in self.columns.fields and stage_key_of(label) != stage.value:
            state.properties.setdefault(self.label("stage"), label)
        return stage

    def _money(self, state: _Row) -> tuple[str, Decimal | None]:
        options = self.options
        currency_text = state.fields.get("currency", "")
        try:
            currency = parse_currency(currency_text, options.default_currency)
        except BadValue as exc:
            state.fail("currency", currency_text, str(exc))
            currency = options.default_currency
        text = state.fields.get("amount", "")
        if not text:
            # Open deals often have no amount yet; a closed one without is worth 0 too,
            # but the report says so.
            state.warn("amount", "", "not in the file; stored as 0")
            return currency, Decimal(0)
        try:
            amount, found = parse_amount(
                text, default_currency=currency, decimal_separator=options.decimal_separator
            )
        except BadValue as exc:
            state.fail("amount", text, str(exc))
            return currency, None
        problem = _amount_problem(amount)
        if currency_text and found != currency:
            problem = f"amount is in {found} but the currency column says {currency}"
        if problem:
            state.fail("amount", text, problem)
            return currency, None
        return found, amount


def _derived_name(parsed: Mapping[str, Any], close_date: date | None, contact_email: str) -> str:
    """A name for an export without one: its account and date, else its own id, else
    its person. Opportunities without an id are found again by name, so the name is
    built from what tells them apart."""
    created: datetime | None = parsed.get("created_at")
    when = close_date or (created.date() if created else None)
    on = f" {when.isoformat()}" if when else ""
    if parsed.get("account_name"):
        return f"{parsed['account_name']}{on}"
    if parsed.get("external_id"):
        return f"Opportunity {parsed['external_id']}"
    person = parsed.get("contact_external_id") or contact_email
    if person:
        return f"Opportunity of {person}{on}"
    return f"Opportunity of{on}" if on else ""


def _closed_at(close_date: date, created_at: datetime | None, zone: tzinfo) -> datetime:
    """When a closed opportunity closed: the start of its close date in the import's zone,
    or its creation when that was later the same day (so a cycle is never negative)."""
    start = datetime.combine(close_date, time(0), tzinfo=zone)
    if (
        created_at is not None
        and start < created_at
        and created_at.astimezone(zone).date() == close_date
    ):
        return created_at
    return start


def stage_key_of(label: str) -> str:
    return re.sub(r"[\W_]+", "", label.casefold())


def _code(exc: BadValue) -> str:
    return "unknown_stage" if isinstance(exc, UnknownStage) else ""


def _amount_problem(amount: Decimal) -> str:
    if amount < 0:
        return "negative amount: an opportunity is worth 0 or more (a credit is not a deal)"
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != round(amount, 2):
        return "more than two decimal places"
    if amount >= Decimal(10) ** MAX_AMOUNT_DIGITS:
        return f"more than {MAX_AMOUNT_DIGITS} digits before the decimal point"
    return ""


@dataclass(slots=True)
class _Row:
    row: int
    fields: Mapping[str, str]
    properties: dict[str, str]
    parsed: dict[str, Any]
    errors: list[RowError]
    validator: RowValidator
    warnings: list[RowError] = field(default_factory=list)

    def fail(self, name: str, value: str, reason: str, code: str = "") -> None:
        self.errors.append(
            RowError(self.row, self.validator.label(name), preview(value), reason, code)
        )

    def warn(self, name: str, value: str, reason: str) -> None:
        self.warnings.append(RowError(self.row, self.validator.label(name), preview(value), reason))

    def email(self, name: str, *, required: bool) -> Any:
        text = self.fields.get(name, "")
        if not text:
            if required:
                self.fail(name, "", "missing")
            return None
        try:
            return normalize_email(text)
        except InvalidEmail as exc:
            self.fail(name, text, exc.reason)
            return None


def derive_event_id(parsed: Mapping[str, Any], canonical_email: str) -> str:
    """The content-derived touch id (recipe in the module doc)."""
    occurred: datetime = parsed["occurred_at"]
    channel = parsed.get("channel")
    parts = (
        occurred.astimezone(UTC).isoformat(),
        str(parsed["type"]),
        canonical_email,
        parsed.get("anonymous_id", ""),
        str(channel) if channel else "",
        *(parsed.get(name, "") for name in TOUCH_LABEL_FIELDS),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return EVENT_ID_PREFIX + digest[:40]


# -- whole files ---------------------------------------------------------------------


class RecordStream:
    """Records (and failures) of one CSV file, in file order, read lazily.

    ``reader`` exposes ``bytes_read`` / ``total_bytes`` / ``progress()`` for a progress
    bar; ``format`` is the format used (detected when ``"auto"`` was asked for).
    """

    def __init__(
        self,
        source: str | Path | BinaryIO,
        entity: Entity | str,
        *,
        format_name: str = "auto",
        options: ImportOptions | None = None,
        delimiter: str | None = None,
        encoding: str | None = None,
        max_field_bytes: int | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        extra: dict[str, Any] = {}
        if max_field_bytes is not None:
            extra["max_field_bytes"] = max_field_bytes
        self.reader = CsvReader(
            source, delimiter=delimiter, encoding=encoding, on_progress=on_progress, **extra
        )
        options = options or ImportOptions()
        try:
            kind = Entity(entity)
            chosen = (
                detect_format(self.reader.header, kind) if format_name == "auto" else format_name
            )
            given = frozenset({"stage"} if options.default_stage else ())
            self.columns = bind(
                self.reader.header, chosen, kind, columns=options.columns, given=given
            )
        except BaseException:
            self.reader.close()
            raise
        self.format = chosen
        self.entity = kind
        self.validator = RowValidator(self.columns, options)

    @property
    def header(self) -> tuple[str, ...]:
        return self.reader.header

    def __iter__(self) -> Iterator[Record | RowFailure]:
        validate = self.validator.validate
        for csv_row in self.reader:
            if csv_row.error is not None:
                original = dict(zip(self.header, csv_row.values, strict=False))
                yield RowFailure(csv_row.row, (csv_row.error,), original)
            else:
                yield validate(csv_row.row, csv_row.values)

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> RecordStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_records(
    source: str | Path | BinaryIO,
    entity: Entity | str,
    *,
    format_name: str = "auto",
    options: ImportOptions | None = None,
    **reader_options: Any,
) -> RecordStream:
    """Open ``source`` as a stream of records; see :class:`RecordStream`."""
    return RecordStream(source, entity, format_name=format_name, options=options, **reader_options)
