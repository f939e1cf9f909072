"""Stage and status names from CRM exports → revloop stages, through ``stage_mapping.yaml``.

The packaged file documents every default; users pass their own file to add their
custom HubSpot lifecycle stages, deal stages of other pipelines, or renamed Salesforce
statuses. See the file's header for the format and the matching rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from revloop.engine.errors import EngineInputError
from revloop.engine.imports.values import BadValue
from revloop.engine.vocabulary import SUCCESS_PATH, LifecycleStage, OpportunityStage

DATA_FILE = "stage_mapping.yaml"
_SECTIONS = ("lifecycle_stage", "lead_status", "opportunity_stage")
_NOT_ALNUM = re.compile(r"[\W_]+")
_StageT = TypeVar("_StageT", LifecycleStage, OpportunityStage)
# A status that is a verdict on the lead beats whatever the lifecycle column says.
_VERDICTS = frozenset({LifecycleStage.DISQUALIFIED, LifecycleStage.RECYCLED})
# ...except once a deal exists: a customer's lead status is usually a stale leftover.
_BEYOND_VERDICTS = frozenset({LifecycleStage.OPPORTUNITY, LifecycleStage.CUSTOMER})


class StageMappingError(EngineInputError):
    """The mapping file is not usable; the message names the file, section and entry."""


class UnknownStage(BadValue):
    """A label that neither the mapping nor its words place; ``section`` takes its line."""

    def __init__(self, message: str, label: str, section: str) -> None:
        super().__init__(message)
        self.label = label
        self.section = section


_WORDS = re.compile(r"[^\W\d_]+")
# Labels that say their outcome in words: "Closed Won - Paid", "Won (signed)",
# "Closed Lost - Not Renewing", "Lost to competitor".
_OUTCOME_WORDS = {"won": OpportunityStage.WON, "lost": OpportunityStage.LOST}


def stage_by_meaning(label: str) -> OpportunityStage | None:
    """Won or lost when the label's words say exactly one of the two, else ``None``."""
    said = {_OUTCOME_WORDS[w] for w in _WORDS.findall(label.casefold()) if w in _OUTCOME_WORDS}
    return said.pop() if len(said) == 1 else None


def mapping_line(label: str, section: str = "opportunity_stage") -> str:
    """The YAML line that maps ``label``, as the user adds it under ``section``."""
    example = "qualification" if section == "opportunity_stage" else "lead"
    return f"  {yaml.safe_dump({label.strip(): example}, allow_unicode=True).strip()}"


def stage_key(name: str) -> str:
    """The matching key of a stage name: case-folded, letters and digits only."""
    return _NOT_ALNUM.sub("", name.casefold())


@dataclass(frozen=True)
class StageMapping:
    """The three tables of the mapping file, keyed by :func:`stage_key`."""

    lifecycle_stage: Mapping[str, LifecycleStage]
    lead_status: Mapping[str, LifecycleStage]
    opportunity_stage: Mapping[str, OpportunityStage]
    source: str = DATA_FILE
    #: Whether labels not listed are placed by their words (off when a user's file
    #: starts from nothing).
    by_meaning: bool = True

    @property
    def where_to_add(self) -> str:
        if self.source == DATA_FILE:
            return "a stage mapping file passed with --stage-mapping"
        return self.source

    def person_stage(self, lifecycle: str, lead_status: str = "") -> LifecycleStage | None:
        """The person's stage from the lifecycle and lead-status cells (rule in the YAML).

        Raises :class:`BadValue` for a lifecycle stage not in the mapping; an unknown
        lead status is ignored (the caller keeps it in properties). ``None`` when both
        cells are empty or say nothing.
        """
        stage = None
        if lifecycle.strip():
            stage = self.lifecycle_stage.get(stage_key(lifecycle))
            if stage is None:
                raise UnknownStage(
                    f"unknown lifecycle stage {lifecycle.strip()!r}; add it to the "
                    f"lifecycle_stage section of {self.where_to_add}",
                    lifecycle.strip(),
                    "lifecycle_stage",
                )
        status = self.lead_status.get(stage_key(lead_status)) if lead_status.strip() else None
        if status is None:
            return stage
        if stage is None:
            return status
        if stage in _VERDICTS or stage in _BEYOND_VERDICTS:
            return stage
        if status in _VERDICTS:
            return status
        return max(stage, status, key=SUCCESS_PATH.index)

    def opportunity(self, name: str) -> OpportunityStage:
        """The opportunity stage for a label: the mapping's entry, else won or lost when
        the label's words say so (:func:`stage_by_meaning`); :class:`UnknownStage` if
        neither places it."""
        stage = self.known_opportunity(name)
        if stage is None:
            raise UnknownStage(
                f"unknown opportunity stage {name.strip()!r}; add it to the "
                f"opportunity_stage section of {self.where_to_add}",
                name.strip(),
                "opportunity_stage",
            )
        return stage

    def known_opportunity(self, name: str) -> OpportunityStage | None:
        """The stage the mapping or the label's words give, or ``None``."""
        stage = self.opportunity_stage.get(stage_key(name))
        if stage is None and self.by_meaning:
            return stage_by_meaning(name)
        return stage


def _table(section: str, entries: Any, enum: type[_StageT], source: str) -> dict[str, _StageT]:
    if entries is None:
        return {}
    if not isinstance(entries, Mapping):
        raise StageMappingError(f"{source}: {section} must be a mapping of name: stage")
    table: dict[str, _StageT] = {}
    written: dict[str, str] = {}
    allowed = ", ".join(m.value for m in enum)
    for name, target in entries.items():
        key = stage_key(str(name))
        if not key:
            raise StageMappingError(f"{source}: {section}: {name!r} has no letters or digits")
        try:
            stage = enum(str(target).strip().lower())
        except ValueError:
            raise StageMappingError(
                f"{source}: {section}.{name}: {target!r} is not one of {allowed}"
            ) from None
        if key in table and table[key] != stage:
            raise StageMappingError(
                f"{source}: {section}: {name!r} and {written[key]!r} are the same name "
                f"but map to {stage.value} and {table[key].value}"
            )
        table[key] = stage
        written[key] = str(name)
    return table


def parse_stage_mapping(
    text: str, source: str = DATA_FILE, base: StageMapping | None = None
) -> StageMapping:
    """A mapping from YAML text; entries are laid over ``base`` when the file extends it."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StageMappingError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(document, Mapping):
        raise StageMappingError(f"{source}: expected a mapping with {', '.join(_SECTIONS)}")
    unknown = set(document) - {*_SECTIONS, "version", "extends_default"}
    if unknown:
        raise StageMappingError(f"{source}: unknown sections {sorted(map(str, unknown))}")
    start = base if base is not None and document.get("extends_default", True) else None
    lifecycle = _table("lifecycle_stage", document.get("lifecycle_stage"), LifecycleStage, source)
    status = _table("lead_status", document.get("lead_status"), LifecycleStage, source)
    opportunity = _table(
        "opportunity_stage", document.get("opportunity_stage"), OpportunityStage, source
    )
    if start is not None:
        lifecycle = {**start.lifecycle_stage, **lifecycle}
        status = {**start.lead_status, **status}
        opportunity = {**start.opportunity_stage, **opportunity}
    by_meaning = start.by_meaning if start is not None else base is None
    return StageMapping(lifecycle, status, opportunity, source, by_meaning)


@cache
def default_stage_mapping() -> StageMapping:
    """The packaged ``stage_mapping.yaml``."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_stage_mapping(text, DATA_FILE)


def load_stage_mapping(path: Path | None = None) -> StageMapping:
    """The user's mapping file laid over the defaults (or the defaults when ``None``)."""
    if path is None:
        return default_stage_mapping()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StageMappingError(f"{path}: cannot read the stage mapping: {exc}") from None
    return parse_stage_mapping(text, str(path), base=default_stage_mapping())
