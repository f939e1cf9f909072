"""Errors of a CSV import: one per bad value, naming the row, the field and the reason."""

from __future__ import annotations

from dataclasses import dataclass

from revloop.engine.errors import EngineInputError

PREVIEW_CHARS = 200


def preview(value: str, limit: int = PREVIEW_CHARS) -> str:
    """``value`` cut to ``limit`` characters, so a 10 MB hostile cell never travels on."""
    if len(value) <= limit:
        return value
    return f"{value[: limit - 1]}…"


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad value: spreadsheet row (header = 1), field (column or record field), value, reason.

    ``field`` is empty when the whole row is at fault (wrong number of columns,
    undecodable bytes outside any known column). ``value`` is a preview of at most
    :data:`PREVIEW_CHARS` characters.
    """

    row: int
    field: str
    value: str
    reason: str
    #: A machine-readable kind for errors the report groups (``unknown_stage``), else "".
    code: str = ""

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
        }
        if self.code:
            found["code"] = self.code
        return found

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.reason}" + (f" ({self.value!r})" if self.value else "")


class CsvFileError(EngineInputError):
    """The file as a whole cannot be read (empty, wrong encoding, no header...)."""
