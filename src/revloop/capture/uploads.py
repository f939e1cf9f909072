"""Imports of an uploaded file (API and page): the same run and report as ``revloop import``.

The upload is written to a file under ``REVLOOP_HOME/imports`` because the importer
reads its input twice (header and format first, then the rows, possibly in a second
process), then removed with its error file: the report lists every skipped row.
The import runs inside the request, so uploads are capped at
``REVLOOP_IMPORT_MAX_BYTES`` (20 MiB unless set); bigger files go through the command.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from revloop.capture import members
from revloop.capture.importer import ENTITIES, error_csv_path, run_import
from revloop.core.errors import InvalidInputError, NotFoundError, RevloopError
from revloop.engine.imports import ImportOptions, load_stage_mapping
from revloop.users.models import User
from revloop.users.policy import allows, require

KINDS = (*ENTITIES, members.ENTITY)
DEFAULT_MAX_BYTES = 20 << 20


class UploadTooLargeError(RevloopError):
    code = "too_large"
    status = 413


def max_bytes() -> int:
    return int(getattr(settings, "REVLOOP_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def may_import(user: User, kind: str) -> bool:
    """Who may import what is the policy's ``import.<kind>``."""
    return kind in KINDS and allows(user, f"import.{kind}")


def importable_kinds(user: User) -> list[str]:
    """The kinds ``user`` may import, in the command's order."""
    return [kind for kind in KINDS if may_import(user, kind)]


@dataclass(frozen=True)
class UploadOptions:
    """The import options, as the command, the API's form fields and the page's form give them."""

    format: str = "auto"
    strict: bool = False
    dry_run: bool = False
    stage: str = ""
    decimal_comma: bool = False
    timezone: str = "UTC"
    date_order: str = "mdy"
    currency: str = "USD"
    encoding: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    campaign: str | None = None
    group_column: str | None = None
    control: str | None = None
    #: The user's own stage mapping file (the command's ``--stage-mapping``).
    stage_mapping: Path | None = None

    def import_options(self) -> ImportOptions:
        if self.date_order not in ("mdy", "dmy"):
            raise InvalidInputError(f"date_order {self.date_order!r}: use mdy or dmy")
        try:
            zone = zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"unknown time zone {self.timezone!r}") from None
        return ImportOptions(
            default_tz=zone,
            date_order=self.date_order,  # type: ignore[arg-type]  # checked above
            default_currency=self.currency.upper(),
            decimal_separator="," if self.decimal_comma else ".",
            stages=load_stage_mapping(self.stage_mapping),
            columns=dict(self.columns),
            default_stage=self.stage.strip(),
        )


def parse_columns(pairs: Iterable[str]) -> dict[str, str]:
    """``FIELD=HEADER`` pairs, as ``--column`` takes them."""
    named: dict[str, str] = {}
    for pair in pairs:
        field_name, sep, header = pair.partition("=")
        if not sep or not field_name.strip() or not header.strip():
            raise InvalidInputError(f"column {pair!r}: write it as FIELD=HEADER")
        named[field_name.strip()] = header.strip()
    return named


def do_import_upload(
    user: User, kind: str, chunks: Iterable[bytes], *, size: int, options: UploadOptions
) -> dict[str, Any]:
    """Import an uploaded file of ``size`` bytes as ``kind`` for ``user``; the report is
    the one ``revloop import --json`` prints (without the error file, which is removed)."""
    if kind not in KINDS:
        raise NotFoundError(f"no import of {kind!r}: one of {', '.join(KINDS)}")
    require(user, f"import.{kind}")
    limit = max_bytes()
    if size > limit:
        raise UploadTooLargeError(
            f"file of {size:,} bytes exceeds {limit:,}; import it with `revloop import`"
        )
    import_options = options.import_options()
    folder = Path(settings.REVLOOP_HOME) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"{kind}-", suffix=".csv", dir=folder)
    source = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        return _run(kind, source, options, import_options)
    except ValueError as exc:  # the file cannot be read at all (encoding, header, format)
        raise InvalidInputError(str(exc), code="invalid_file") from None
    finally:
        source.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            error_csv_path(source).unlink(missing_ok=True)


def _run(
    kind: str, source: Path, options: UploadOptions, import_options: ImportOptions
) -> dict[str, Any]:
    if kind == members.ENTITY:
        report = members.import_campaign_members(
            source,
            campaign=options.campaign or None,
            group_column=options.group_column or None,
            control_value=options.control or None,
            default_tz=import_options.default_tz,
            date_order=import_options.date_order,
            strict=options.strict,
            dry_run=options.dry_run,
        ).as_dict()
        report["file"] = None
        return report
    summary = run_import(
        kind,
        source,
        format_name=options.format,
        options=import_options,
        strict=options.strict,
        dry_run=options.dry_run,
        encoding=options.encoding or None,
    )
    report = summary.as_dict()
    report["error_csv"] = None
    return report
