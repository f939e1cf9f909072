"""Contract text → :class:`Contract`, or every error found, each with its line and key."""

from __future__ import annotations

from pathlib import Path

from revloop.engine.contract.errors import ContractError, ContractInvalid
from revloop.engine.contract.loader import ROOT, load_nodes
from revloop.engine.contract.parse_operations import parse_routing, parse_sla
from revloop.engine.contract.parse_pipeline import parse_pipeline_checks
from revloop.engine.contract.parse_process import (
    parse_actors,
    parse_mql,
    parse_reasons,
    parse_recycle,
    parse_stages,
    parse_transitions,
)
from revloop.engine.contract.parse_scoring import parse_scoring
from revloop.engine.contract.reader import Reader
from revloop.engine.contract.schema import FORMAT_VERSION, Contract, PipelineChecks

SECTIONS = (
    "format",
    "name",
    "actors",
    "stages",
    "transitions",
    "reasons",
    "scoring",
    "mql",
    "recycle",
    "sla",
    "routing",
)


def check_contract(
    text: str, source: str = "contract.yaml"
) -> tuple[Contract | None, tuple[ContractError, ...]]:
    """Parse and validate; returns the contract (or ``None``) and all errors, never raises."""
    root, errors = load_nodes(text, source)
    if root is None:
        return None, tuple(errors)
    read = Reader(source)
    read.errors.extend(errors)
    items = read.mapping(root, ROOT, required=SECTIONS, optional=("description", "pipeline_checks"))
    if items is None:
        return None, tuple(sorted(read.errors))

    version = read.integer(items["format"], "format", ge=1) if "format" in items else None
    if version is not None and version != FORMAT_VERSION:
        read.error(items["format"].line, "format", f"this revloop reads format {FORMAT_VERSION}")
        version = None
    name = read.text(items["name"], "name") if "name" in items else None
    description = read.text(items["description"], "description") if "description" in items else ""
    actors = parse_actors(read, items["actors"], "actors") if "actors" in items else None
    stages = parse_stages(read, items["stages"], "stages") if "stages" in items else None
    transitions = (
        parse_transitions(read, items["transitions"], "transitions", stages, actors)
        if "transitions" in items
        else None
    )
    reasons = parse_reasons(read, items["reasons"], "reasons") if "reasons" in items else None
    scoring = (
        parse_scoring(read, items["scoring"], "scoring", reasons) if "scoring" in items else None
    )
    mql = parse_mql(read, items["mql"], "mql", stages, transitions) if "mql" in items else None
    recycle = (
        parse_recycle(read, items["recycle"], "recycle", stages, transitions)
        if "recycle" in items
        else None
    )
    sla = parse_sla(read, items["sla"], "sla") if "sla" in items else None
    routing = parse_routing(read, items["routing"], "routing") if "routing" in items else None
    pipeline_checks: PipelineChecks | None = PipelineChecks()
    if "pipeline_checks" in items:
        pipeline_checks = parse_pipeline_checks(read, items["pipeline_checks"], "pipeline_checks")
    if read.errors:
        return None, tuple(sorted(read.errors))
    if (
        version is None
        or name is None
        or description is None
        or actors is None
        or stages is None
        or transitions is None
        or reasons is None
        or scoring is None
        or mql is None
        or recycle is None
        or sla is None
        or routing is None
        or pipeline_checks is None
    ):  # pragma: no cover - every path that yields None has recorded an error
        return None, (ContractError(root.line, ROOT, "incomplete contract", source),)
    contract = Contract(
        format=version,
        name=name,
        description=description,
        actors=actors,
        stages=stages,
        transitions=transitions,
        reasons=reasons,
        scoring=scoring,
        mql=mql,
        recycle=recycle,
        sla=sla,
        routing=routing,
        pipeline_checks=pipeline_checks,
    )
    return contract, ()


def parse_contract(text: str, source: str = "contract.yaml") -> Contract:
    """The contract, or :class:`ContractInvalid` listing every error."""
    contract, errors = check_contract(text, source)
    if contract is None:
        raise ContractInvalid(errors)
    return contract


def load_contract(path: str | Path) -> Contract:
    path = Path(path)
    return parse_contract(path.read_text(encoding="utf-8"), source=path.name)


def default_contract_text() -> str:
    """The shipped default contract, comments and all (the demo company signs this one)."""
    return (Path(__file__).parent / "default.yaml").read_text(encoding="utf-8")


def default_contract() -> Contract:
    return parse_contract(default_contract_text(), source="default.yaml")
