"""Touch rows by the batch: the common rows checked in columns, the rest row by row.

A touch import is millions of rows of a few shapes, so the per-row validator's
microseconds add up to most of an import. Here a batch of raw CSV rows becomes a
polars frame; the rows whose every cell is of a shape known to be valid (an ISO
timestamp with its offset, a known type and channel, a plain email, no cell to
restore, nothing too long) are turned into touch columns at once, and every other
row goes through :class:`~revloop.engine.imports.rows.RowValidator` exactly as
before. Values that repeat (types, channels, emails) are parsed once per distinct
value with the same functions the row validator uses. The result is the same as
validating each row on its own (a property test checks it), only faster.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from revloop.engine.identity.email import InvalidEmail, normalize_email
from revloop.engine.imports.records import TouchRecord
from revloop.engine.imports.rows import (
    EVENT_ID_PREFIX,
    TOUCH_LABEL_FIELDS,
    ImportOptions,
    Parser,
    RowFailure,
    RowValidator,
)
from revloop.engine.imports.values import BadValue

#: One good touch per row, in file order. Times are UTC; ``properties`` is JSON text.
TOUCH_COLUMNS = pl.Schema(
    {
        "row": pl.Int64(),
        "event_id": pl.Utf8(),
        "occurred_at": pl.Datetime("us", "UTC"),
        "type": pl.Utf8(),
        "email": pl.Utf8(),
        "canonical_email": pl.Utf8(),
        "anonymous_id": pl.Utf8(),
        "channel": pl.Utf8(),
        "campaign": pl.Utf8(),
        "content": pl.Utf8(),
        "url": pl.Utf8(),
        "utm_source": pl.Utf8(),
        "utm_medium": pl.Utf8(),
        "utm_campaign": pl.Utf8(),
        "utm_content": pl.Utf8(),
        "utm_term": pl.Utf8(),
        "properties": pl.Utf8(),
    }
)
_TEXT_FIELDS = ("event_id", "anonymous_id", *TOUCH_LABEL_FIELDS)
# Fields are range-checked here; an impossible day (Feb 30) fails polars' parse instead.
_ISO_WITH_OFFSET = (
    r"^(?:000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
# Ends that Python's str.strip removes; a cell with one left after polars' strip of
# spaces and tabs goes the row-by-row way rather than risk a different strip.
_ODD_END = r"^[\s\x1c-\x1f\x85]|[\s\x1c-\x1f\x85]$"


@dataclass(frozen=True)
class TouchBatch:
    frame: pl.DataFrame
    failures: list[RowFailure]


def empty_touch_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=TOUCH_COLUMNS)


def validate_touch_rows(
    validator: RowValidator, rows: Sequence[tuple[int, Sequence[str]]]
) -> TouchBatch:
    """The touches of ``rows`` (``(row number, cells)``) and the failures, as row by row."""
    columns = validator.columns
    if not rows:
        return TouchBatch(empty_touch_frame(), [])
    if columns.has_multi_columns:
        return _slowly(validator, rows)
    header = columns.header
    width = len(header)
    # Ragged rows are the reader's to report; they are never fast.
    even = [r for r in rows if len(r[1]) == width]
    ragged = [r for r in rows if len(r[1]) != width]
    if not even:
        return _slowly(validator, rows)
    raw = pl.DataFrame(
        [pl.Series("row", [r for r, _ in even], dtype=pl.Int64)]
        + [
            pl.Series(f"c{i}", cells, dtype=pl.Utf8)
            for i, cells in enumerate(zip(*(v for _, v in even), strict=True))
        ]
    )
    fast, slow_rows = _fast_frame(validator, raw)
    slow_numbers = set(slow_rows)
    leftovers = [r for r in even if r[0] in slow_numbers] + ragged
    rest = _slowly(validator, leftovers) if leftovers else TouchBatch(empty_touch_frame(), [])
    frame = pl.concat([fast, rest.frame]).sort("row") if rest.frame.height else fast
    return TouchBatch(frame, sorted(rest.failures, key=lambda f: f.row))


def _plain_cells(
    specs: dict[str, tuple[Parser | None, int, bool]], cell: dict[str, str], used: list[str]
) -> pl.Expr:
    """True where no cell needs the row validator's eye: nothing to restore or to strip
    beyond spaces and tabs, no required field empty, nothing too long."""
    ok = pl.lit(value=True)
    for name in used:
        text = pl.col(name)
        ok = ok & ~text.str.starts_with("'") & ~text.str.contains(_ODD_END)
    for name, (_parse, limit, required) in specs.items():
        if name not in cell:
            if required:
                return pl.lit(value=False)
            continue
        text = pl.col(cell[name])
        if required:
            ok = ok & (text != "")
        if limit:
            ok = ok & (text.str.len_chars() <= limit)
    return ok


def _parsed_once(values: pl.Series, parse: Parser, options: ImportOptions) -> dict[str, str | None]:
    """Each distinct value through the row validator's own parser (None: rejected)."""
    found: dict[str, str | None] = {}
    for value in values.unique().to_list():
        try:
            found[value] = str(parse(value, options)) if value else ""
        except BadValue:
            found[value] = None
    return found


def _emails_once(values: pl.Series) -> dict[str, tuple[str, str] | None]:
    """Each distinct email's ``(address, canonical)`` (None: not an email)."""
    found: dict[str, tuple[str, str] | None] = {"": ("", "")}
    for value in values.unique().to_list():
        if value:
            try:
                email = normalize_email(value)
            except InvalidEmail:
                found[value] = None
            else:
                found[value] = (email.address, email.canonical)
    return found


def _fast_frame(validator: RowValidator, raw: pl.DataFrame) -> tuple[pl.DataFrame, list[int]]:
    columns = validator.columns
    specs = {name: (parse, limit, required) for name, parse, limit, required in validator.specs}
    cell = {name: f"c{positions[0]}" for name, positions in columns.fields.items()}
    used = [*cell.values(), *(f"c{p}" for p in columns.extra)]
    frame = raw.with_columns(pl.col(c).str.strip_chars(" \t") for c in used)
    frame = frame.with_columns(ok=_plain_cells(specs, cell, used))

    def column(name: str) -> pl.Expr:
        return pl.col(cell[name]) if name in cell else pl.lit("")

    def parsed(name: str) -> pl.Expr:
        parse = specs[name][0] if name in cell else None
        if parse is None:
            return pl.lit("")
        lookup = _parsed_once(frame.get_column(cell[name]), parse, validator.options)
        return column(name).replace_strict(lookup, default=None, return_dtype=pl.Utf8)

    emails = _emails_once(frame.get_column(cell["email"])) if "email" in cell else {"": ("", "")}
    when = column("occurred_at")
    frame = frame.with_columns(
        type=parsed("type"),
        channel=parsed("channel"),
        email=column("email").replace_strict(
            {k: v[0] for k, v in emails.items() if v}, default=None
        ),
        canonical_email=column("email").replace_strict(
            {k: v[1] for k, v in emails.items() if v}, default=None
        ),
        occurred_at=pl.when(when.str.contains(_ISO_WITH_OFFSET)).then(
            when.str.replace(r"Z$", "+00:00")
            .str.replace(" ", "T", literal=True)
            .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="us", strict=False)
            .dt.convert_time_zone("UTC")
        ),
        **{name: column(name) for name in _TEXT_FIELDS},
    )
    frame = frame.with_columns(
        ok=pl.col("ok")
        & pl.col("type").is_not_null()
        & pl.col("channel").is_not_null()
        & pl.col("email").is_not_null()
        & pl.col("occurred_at").is_not_null()
        & ((pl.col("email") != "") | (pl.col("anonymous_id") != ""))
    )
    slow = frame.filter(~pl.col("ok")).get_column("row").to_list()
    good = frame.filter(pl.col("ok"))
    good = good.with_columns(
        properties=_properties(good, columns.header, columns.extra),
        event_id=_event_ids(good),
    )
    return good.select(list(TOUCH_COLUMNS)).cast(TOUCH_COLUMNS), slow


def _properties(frame: pl.DataFrame, header: Sequence[str], extra: Sequence[int]) -> pl.Series:
    if not extra:
        return pl.Series("properties", ["{}"] * frame.height, dtype=pl.Utf8)
    cells = [frame.get_column(f"c{p}").to_list() for p in extra]
    names = [header[p] for p in extra]
    out = []
    for values in zip(*cells, strict=True):
        found = {n: v for n, v in zip(names, values, strict=True) if v}
        out.append(json.dumps(found, ensure_ascii=False) if found else "{}")
    return pl.Series("properties", out, dtype=pl.Utf8)


def _event_ids(frame: pl.DataFrame) -> pl.Series:
    given = frame.get_column("event_id")
    missing = given == ""
    if not missing.any():
        return given
    need = frame.filter(missing)
    # datetime.isoformat: microseconds only when there are some.
    instant = (
        need.get_column("occurred_at")
        .dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .str.replace(r"\.000000\+", "+")
    )
    parts = [
        instant,
        need.get_column("type"),
        need.get_column("canonical_email"),
        need.get_column("anonymous_id"),
        need.get_column("channel"),
        *(need.get_column(name) for name in TOUCH_LABEL_FIELDS),
    ]
    derived = [
        EVENT_ID_PREFIX
        + hashlib.sha256("\x1f".join(values).encode("utf-8", "surrogatepass")).hexdigest()[:40]
        for values in zip(*(p.to_list() for p in parts), strict=True)
    ]
    filled = given.to_list()
    for index, value in zip(missing.arg_true().to_list(), derived, strict=True):
        filled[index] = value
    return pl.Series("event_id", filled, dtype=pl.Utf8)


def _slowly(validator: RowValidator, rows: Sequence[tuple[int, Sequence[str]]]) -> TouchBatch:
    records: list[TouchRecord] = []
    failures: list[RowFailure] = []
    for number, values in rows:
        result = validator.validate(number, values)
        if isinstance(result, RowFailure):
            failures.append(result)
        else:
            assert isinstance(result, TouchRecord)
            records.append(result)
    return TouchBatch(records_to_frame(records), failures)


def records_to_frame(records: Sequence[TouchRecord]) -> pl.DataFrame:
    """Touch records as rows of :data:`TOUCH_COLUMNS`."""
    return pl.DataFrame(
        {
            "row": [r.row for r in records],
            "event_id": [r.event_id for r in records],
            "occurred_at": [r.occurred_at for r in records],
            "type": [r.type.value for r in records],
            "email": [r.email for r in records],
            "canonical_email": [r.canonical_email for r in records],
            "anonymous_id": [r.anonymous_id for r in records],
            "channel": [r.channel.value if r.channel else "" for r in records],
            "campaign": [r.campaign for r in records],
            "content": [r.content for r in records],
            "url": [r.url for r in records],
            "utm_source": [r.utm_source for r in records],
            "utm_medium": [r.utm_medium for r in records],
            "utm_campaign": [r.utm_campaign for r in records],
            "utm_content": [r.utm_content for r in records],
            "utm_term": [r.utm_term for r in records],
            "properties": [
                json.dumps(dict(r.properties), ensure_ascii=False) if r.properties else "{}"
                for r in records
            ],
        },
        schema=TOUCH_COLUMNS,
    )
