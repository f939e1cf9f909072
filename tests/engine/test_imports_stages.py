"""The stage mapping file: documented defaults, user overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from revloop.engine.imports.stages import (
    StageMappingError,
    default_stage_mapping,
    load_stage_mapping,
    parse_stage_mapping,
)
from revloop.engine.imports.values import BadValue
from revloop.engine.vocabulary import LifecycleStage as L
from revloop.engine.vocabulary import OpportunityStage as O


@pytest.mark.parametrize(
    ("lifecycle", "status", "stage"),
    [
        ("Marketing Qualified Lead", "", L.MQL),
        ("marketingqualifiedlead", "", L.MQL),  # HubSpot's internal value
        ("Subscriber", "", L.LEAD),
        ("Lead", "In Progress", L.SAL),  # the status is further along
        ("Sales Qualified Lead", "New", L.SQL),  # ... and never drags a stage back
        ("MQL", "Unqualified", L.DISQUALIFIED),  # a verdict wins
        ("Customer", "Unqualified", L.CUSTOMER),  # ... except over a deal
        ("", "Working - Contacted", L.SAL),  # Salesforce leads have only a status
        ("", "Closed - Not Converted", L.DISQUALIFIED),
        ("Lead", "Some Custom Status", L.LEAD),  # unknown statuses are ignored
        ("", "", None),
    ],
)
def test_person_stages(lifecycle: str, status: str, stage: L | None) -> None:
    assert default_stage_mapping().person_stage(lifecycle, status) == stage


def test_unknown_lifecycle_stages_are_errors_naming_the_file() -> None:
    with pytest.raises(
        BadValue, match=r"'Champion'.*lifecycle_stage section of a stage mapping file"
    ):
        default_stage_mapping().person_stage("Champion")


@pytest.mark.parametrize(
    ("name", "stage"),
    [
        ("Appointment Scheduled", O.DISCOVERY),
        ("closedwon", O.WON),
        ("Closed Lost", O.LOST),
        ("Proposal/Price Quote", O.PROPOSAL),
        ("Negotiation/Review", O.NEGOTIATION),
        ("Id. Decision Makers", O.QUALIFICATION),
        ("won", O.WON),
    ],
)
def test_opportunity_stages(name: str, stage: O) -> None:
    assert default_stage_mapping().opportunity(name) == stage


def test_a_user_file_extends_and_overrides_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "opportunity_stage:\n  Demo Booked: discovery\n  Contract Sent: proposal\n"
        "lifecycle_stage:\n  Champion: customer\n"
    )
    mapping = load_stage_mapping(path)
    assert mapping.opportunity("demo booked") == O.DISCOVERY
    assert mapping.opportunity("Contract Sent") == O.PROPOSAL  # was negotiation
    assert mapping.opportunity("Closed Won") == O.WON  # default kept
    assert mapping.person_stage("champion") == L.CUSTOMER
    with pytest.raises(BadValue, match=str(path)):
        mapping.opportunity("Nope")


def test_a_user_file_can_start_from_nothing(tmp_path: Path) -> None:
    path = tmp_path / "only.yaml"
    path.write_text("extends_default: false\nopportunity_stage:\n  Won It: won\n")
    mapping = load_stage_mapping(path)
    assert mapping.opportunity("won it") == O.WON
    with pytest.raises(BadValue):
        mapping.opportunity("Closed Won")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lifecycle_stage: [a, b]", "must be a mapping"),
        ("lifecycle_stage:\n  Hot: boiling\n", "'boiling' is not one of lead, mql"),
        ("opportunity_stage:\n  Won It: won\n  won-it: lost\n", "same name"),
        ("stages:\n  a: lead\n", "unknown sections"),
        ("lifecycle_stage: {a: lead\n", "not valid YAML"),
        ("- just a list\n", "expected a mapping"),
        ("lifecycle_stage:\n  '---': lead\n", "no letters or digits"),
    ],
)
def test_broken_files_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(StageMappingError, match=message):
        parse_stage_mapping(text, "mine.yaml")


def test_an_unreadable_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(StageMappingError, match="cannot read"):
        load_stage_mapping(tmp_path / "missing.yaml")


def test_every_default_entry_is_documented_in_the_packaged_file() -> None:
    mapping = default_stage_mapping()
    assert len(mapping.lifecycle_stage) >= 10
    assert len(mapping.opportunity_stage) >= 15
    assert set(mapping.opportunity_stage.values()) == set(O)
