"""The contract's optional ``pipeline_checks`` section: defaults when absent, every
threshold read, mistakes named by line and key, and the digest of the defaults unchanged."""

from __future__ import annotations

import re

from revloop.engine.contract import (
    PipelineChecks,
    check_contract,
    contract_digest,
    default_contract,
    default_contract_text,
    diff_contracts,
    dump_contract,
    parse_contract,
)
from revloop.engine.vocabulary import BuyingRole, OpportunityStage, TouchType

DEFAULT = default_contract_text()
SECTION = re.compile(r"^pipeline_checks:\n(?:(?:  .*|\s*#.*|)\n)*", re.MULTILINE)


def without_section(text: str = DEFAULT) -> str:
    stripped = SECTION.sub("", text)
    assert "\npipeline_checks:" not in stripped
    assert "\nrouting:" in stripped
    return stripped


def with_section(body: str) -> str:
    return without_section() + "\npipeline_checks:\n" + body


def test_a_contract_without_the_section_gets_the_defaults() -> None:
    contract = parse_contract(without_section())
    assert contract.pipeline_checks == PipelineChecks()
    # The shipped default spells the defaults out; it means the same.
    assert default_contract().pipeline_checks == PipelineChecks()
    assert contract_digest(contract) == contract_digest(default_contract())


def test_every_threshold_is_read() -> None:
    contract = parse_contract(
        with_section(
            "  no_activity_days: 14\n"
            "  activity_types: [call, meeting, email_click]\n"
            "  close_date_pushes: 2\n"
            "  past_due_days: 0\n"
            "  burst_days: 5\n"
            "  burst_ratio: 3\n"
            "  burst_confidence: 0.95\n"
            "  skipped_stages: 2\n"
            "  amount_jump_ratio: 2.5\n"
            "  buyer_roles: [economic_buyer, decision_maker]\n"
            "  buyer_role_from_stage: negotiation\n"
            "  stuck_quantile: 0.75\n"
            "  stuck_factor: 2\n"
            "  stuck_min_deals: 20\n"
            "  suspect_checks: 3\n"
            "  suspect_ignores: [no_economic_buyer, no_contact]\n"
        )
    )
    checks = contract.pipeline_checks
    assert checks == PipelineChecks(
        no_activity_days=14,
        activity_types=(TouchType.CALL, TouchType.MEETING, TouchType.EMAIL_CLICK),
        close_date_pushes=2,
        past_due_days=0,
        burst_days=5,
        burst_ratio=3,
        burst_confidence=0.95,
        skipped_stages=2,
        amount_jump_ratio=2.5,
        buyer_roles=(BuyingRole.ECONOMIC_BUYER, BuyingRole.DECISION_MAKER),
        buyer_role_from_stage=OpportunityStage.NEGOTIATION,
        stuck_quantile=0.75,
        stuck_factor=2,
        stuck_min_deals=20,
        suspect_checks=3,
        suspect_ignores=("no_economic_buyer", "no_contact"),
    )
    assert parse_contract(dump_contract(contract)) == contract
    changes = {c.path for c in diff_contracts(default_contract(), contract).changes}
    assert "pipeline_checks" in changes


def test_one_changed_threshold_dumps_and_diffs_alone() -> None:
    contract = parse_contract(with_section("  no_activity_days: 21\n"))
    assert contract.pipeline_checks.no_activity_days == 21
    assert contract.pipeline_checks.close_date_pushes == PipelineChecks().close_date_pushes
    assert parse_contract(dump_contract(contract)) == contract


def test_mistakes_are_named_by_line_and_key() -> None:
    text = with_section(
        "  no_activity_dayz: 14\n"
        "  burst_ratio: 1\n"
        "  stuck_quantile: 1.2\n"
        "  buyer_roles: [cfo]\n"
        "  buyer_role_from_stage: won\n"
        "  suspect_checks: 0\n"
        "  suspect_ignores: [gut_feeling]\n"
    )
    contract, errors = check_contract(text)
    assert contract is None
    start = text.splitlines().index("pipeline_checks:") + 1
    found = {(e.path, e.line - start) for e in errors}
    assert found == {
        ("pipeline_checks.no_activity_dayz", 1),
        ("pipeline_checks.burst_ratio", 2),
        ("pipeline_checks.stuck_quantile", 3),
        ("pipeline_checks.buyer_roles[0]", 4),
        ("pipeline_checks.buyer_role_from_stage", 5),
        ("pipeline_checks.suspect_checks", 6),
        ("pipeline_checks.suspect_ignores[0]", 7),
    }
    messages = {e.path: e.message for e in errors}
    assert "did you mean 'no_activity_days'" in messages["pipeline_checks.no_activity_dayz"]
    assert messages["pipeline_checks.burst_ratio"] == "must be > 1"
