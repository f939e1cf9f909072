"""``revloop import campaign-members FILE``: a campaign's audience with each one's group.

One row per person: an email, the campaign (a column, or one name for the whole file)
and optionally the person's group and the moment they joined. The group column reads
``control``/``holdout`` and ``treatment``/``test`` as such; with ``control_value``
every row whose group equals it is in the control group and every other value is a
treatment arm of its own (two e-mail variants against one holdout). Campaigns and
people that do not exist yet are created. Bad rows are reported with their row and
field and the good ones imported (none with ``strict``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from revloop.activity.models import MemberGroup
from revloop.engine.errors import EngineInputError
from revloop.engine.imports import CsvReader
from revloop.engine.imports.reader import normalize_header
from revloop.engine.imports.values import BadValue, DateOrder, parse_datetime

ENTITY = "campaign-members"

_COLUMNS = {
    "email": ("email", "email address", "e mail", "contact email", "lead email"),
    "campaign": ("campaign", "campaign name"),
    "group": ("group", "member group", "arm", "variant", "holdout", "control group", "test group"),
    "added_at": ("added at", "added", "date added", "member since", "joined at", "created date"),
}
_CONTROL_WORDS = frozenset({"control", "holdout", "hold out", "hold-out", "control group"})
_TREATMENT_WORDS = frozenset({"treatment", "treated", "test", "exposed", "target"})


@dataclass
class MembersImport:
    """What a membership import read, stored and refused."""

    file: str
    rows: int = 0
    added: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    conflicts: int = 0
    people_created: int = 0
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    @property
    def error_rows(self) -> int:
        return len({error["row"] for error in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "entity": ENTITY,
            "rows": self.rows,
            "added": dict(self.added),
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "people_created": self.people_created,
            "campaigns": list(self.campaigns.values()),
            "error_rows": self.error_rows,
            "errors": self.errors,
            "committed": self.committed,
            "seconds": round(self.seconds, 3),
        }


#: One person's membership as read: (row, email, group, arm label, added at).
MemberRow = tuple[int, str, str, str, datetime | None]


def read_members(
    path: str | Path,
    *,
    campaign: str | None = None,
    group_column: str | None = None,
    control_value: str | None = None,
    default_tz: tzinfo = UTC,
    date_order: DateOrder = "mdy",
) -> tuple[MembersImport, dict[str, list[MemberRow]]]:
    """The file's good rows by campaign, and its report so far (rows read, errors)."""
    summary = MembersImport(file=str(path))
    rows: dict[str, list[MemberRow]] = defaultdict(list)
    with CsvReader(path) as reader:
        at = _columns(list(reader.header), group_column, need_campaign=campaign is None)
        for record in reader:
            summary.rows += 1
            if record.error is not None:
                summary.errors.append(
                    {"row": record.row, "field": record.error.field, "reason": record.error.reason}
                )
                continue
            parsed = _row(
                record.row,
                record.values,
                at=at,
                campaign=campaign,
                control_value=control_value,
                default_tz=default_tz,
                date_order=date_order,
            )
            if isinstance(parsed, dict):
                summary.errors.append(parsed)
            else:
                name, email, group, arm, added = parsed
                rows[name].append((record.row, email, group, arm, added))
    return summary, rows


class MembersFileError(EngineInputError):
    """A file this import cannot read at all (a needed column is missing)."""


def _columns(
    header: list[str], group_column: str | None, *, need_campaign: bool
) -> dict[str, int | None]:
    keys = [normalize_header(h).casefold().replace("_", " ") for h in header]

    def find(names: tuple[str, ...]) -> int | None:
        for name in names:
            if name in keys:
                return keys.index(name)
        return None

    found = {column: find(names) for column, names in _COLUMNS.items()}
    if group_column is not None:
        wanted = normalize_header(group_column).casefold().replace("_", " ")
        if wanted not in keys:
            raise MembersFileError(f"no column {group_column!r} in the file")
        found["group"] = keys.index(wanted)
    if found["email"] is None:
        raise MembersFileError("the file needs an email column (Email, Email Address)")
    if need_campaign and found["campaign"] is None:
        raise MembersFileError("the file has no Campaign column: name the campaign with --campaign")
    return found


def _row(
    row: int,
    values: tuple[str, ...],
    *,
    at: dict[str, int | None],
    campaign: str | None,
    control_value: str | None,
    default_tz: tzinfo,
    date_order: DateOrder,
) -> tuple[str, str, str, str, datetime | None] | dict[str, Any]:
    def cell(column: str) -> str:
        index = at[column]
        return values[index].strip() if index is not None else ""

    email = cell("email")
    if not email:
        return {"row": row, "field": "email", "reason": "empty"}
    name = campaign or cell("campaign")
    if not name:
        return {"row": row, "field": "campaign", "reason": "empty"}
    label = cell("group")
    group = _group(label, control_value)
    if group is None:
        return {
            "row": row,
            "field": "group",
            "reason": f"{label!r} is not control, holdout or treatment (name the control "
            "group's value with --control)",
        }
    added: datetime | None = None
    if text := cell("added_at"):
        try:
            added = parse_datetime(text, default_tz, date_order=date_order)
        except BadValue as exc:
            return {"row": row, "field": "added_at", "reason": f"{text!r}: {exc}"}
    return name, email, group, label, added


def _group(label: str, control_value: str | None) -> str | None:
    key = " ".join(label.split()).casefold()
    if control_value is not None:
        control = " ".join(control_value.split()).casefold()
        return MemberGroup.CONTROL if key == control else MemberGroup.TREATMENT
    if not key or key in _TREATMENT_WORDS:
        return MemberGroup.TREATMENT
    if key in _CONTROL_WORDS:
        return MemberGroup.CONTROL
    return None
