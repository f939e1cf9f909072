"""Imports of an uploaded file (API and page): who may import what, and the options.

:func:`revloop.capture.actions.do_import_upload` runs the import.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from revloop.capture import members
from revloop.capture.importer import ENTITIES
from revloop.core.errors import InvalidInputError, RevloopError
from revloop.engine.imports import ImportOptions, load_stage_mapping
from revloop.users.models import User
from revloop.users.policy import allows

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
