"""What an import report says about stage labels no mapping knows: each label once.

A file with a custom stage fails every row that carries it; listing the same reason a
thousand times hides what to do. :class:`StageLabels` gathers those errors into one
entry per label (how many rows, the first few) and one message with the exact lines to
add to the stage mapping file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from revloop.engine.imports.errors import RowError
from revloop.engine.imports.stages import DATA_FILE, mapping_line
from revloop.engine.vocabulary import LifecycleStage, OpportunityStage

FIRST_ROWS = 5
_CHOICES = {
    "opportunity_stage": ", ".join(s.value for s in OpportunityStage),
    "lifecycle_stage": ", ".join(s.value for s in LifecycleStage),
}


@dataclass
class _Label:
    section: str
    rows: int = 0
    first_rows: list[int] = field(default_factory=list)


@dataclass
class StageLabels:
    """Unknown stage labels of one import, in the order they were first met."""

    labels: dict[str, _Label] = field(default_factory=dict)
    #: The user's mapping file when the import had one; else the lines go in a new file.
    mapping_file: str = DATA_FILE

    def add(self, error: RowError) -> None:
        section = "lifecycle_stage" if "lifecycle" in error.reason else "opportunity_stage"
        entry = self.labels.setdefault(error.value, _Label(section))
        entry.rows += 1
        if len(entry.first_rows) < FIRST_ROWS:
            entry.first_rows.append(error.row)

    def line(self, label: str) -> str:
        """The line to add for ``label``: a guess to correct, and the choices beside it."""
        section = self.labels[label].section
        return f"{mapping_line(label, section)}   # one of: {_CHOICES[section]}"

    def as_list(self) -> list[dict[str, Any]]:
        return [
            {
                "label": label,
                "section": entry.section,
                "rows": entry.rows,
                "first_rows": entry.first_rows,
                "line": self.line(label),
            }
            for label, entry in self.labels.items()
        ]

    def message(self) -> str:
        """One message for all unknown labels, or "" when there are none."""
        if not self.labels:
            return ""
        rows = sum(e.rows for e in self.labels.values())
        sections = sorted({e.section for e in self.labels.values()})
        parts = [
            (
                f"{rows:,} row{'s' if rows != 1 else ''} skipped for "
                f"{len(self.labels)} stage label{'s' if len(self.labels) != 1 else ''} "
                "revloop does not know:"
            )
        ]
        for label, entry in self.labels.items():
            first = ", ".join(map(str, entry.first_rows))
            more = ", …" if entry.rows > len(entry.first_rows) else ""
            plural = "s" if entry.rows != 1 else ""
            parts.append(f"  {label!r}: {entry.rows:,} row{plural} (row{plural} {first}{more})")
        if self.mapping_file == DATA_FILE:
            parts.append(
                "Put these lines in a file (say stages.yaml; they are added to revloop's "
                "own mapping), set each to the stage the label means, and import again "
                "with --stage-mapping stages.yaml:"
            )
        else:
            parts.append(
                f"Add these lines to {self.mapping_file}, set each to the stage the label "
                "means, and import again:"
            )
        for section in sections:
            parts.append(f"{section}:")
            parts.extend(
                self.line(label) for label, e in self.labels.items() if e.section == section
            )
        return "\n".join(parts)
