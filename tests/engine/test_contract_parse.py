"""The contract parser: the shipped default is valid, and every mistake is named by line and key."""

from __future__ import annotations

import datetime as dt

import pytest

from revloop.engine.contract import (
    REQUIRED_REASON_CODES,
    ContractError,
    ContractInvalid,
    Equals,
    InRange,
    Matches,
    Missing,
    OneOf,
    ReasonKind,
    check_contract,
    default_contract,
    default_contract_text,
    dump_contract,
    parse_contract,
)
from revloop.engine.vocabulary import ContentKind, LifecycleStage, Role, TouchType

DEFAULT = default_contract_text()


def edited(old: str, new: str, text: str = DEFAULT) -> str:
    assert text.count(old) >= 1, f"{old!r} not in the contract"
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str, after: str = "") -> int:
    """1-based line of the first ``fragment`` that comes after ``after``."""
    start = text.index(after) if after else 0
    return text.count("\n", 0, text.index(fragment, start)) + 1


def errors_of(text: str) -> list[str]:
    contract, errors = check_contract(text)
    assert contract is None
    return [str(error) for error in errors]


def test_the_default_contract_is_valid_and_complete() -> None:
    contract = default_contract()
    assert contract.stages == tuple(LifecycleStage)
    assert {a.name: a.roles for a in contract.actors} == {
        "marketing": (Role.MARKETING, Role.ADMIN),
        "sales": (Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN),
    }
    every_code = {code for kind in ReasonKind for code in contract.reasons.codes(kind)}
    assert set(REQUIRED_REASON_CODES) <= every_code
    assert contract.mql.min_engagement == 40
    assert contract.mql.min_grade == "B"
    assert contract.recycle.no_touch_days == 90
    assert contract.routing.rules[0].account_owner
    assert contract.routing.rules[-1].team == "north_america"


def test_it_reads_every_field_operator() -> None:
    fit = {rule.id: rule.condition for rule in default_contract().scoring.fit}
    assert isinstance(fit["target_industry"], OneOf)
    assert fit["core_size"] == InRange("account.employee_count", 200, 5001)
    assert fit["enterprise_size"] == InRange("account.employee_count", 5001, None)
    assert isinstance(fit["senior_title"], Matches)
    assert fit["target_account"] == Equals("account.tier", "1")
    assert fit["no_company"] == Missing("account.name", expected=True)


def test_it_reads_engagement_matches_and_default_half_life() -> None:
    rules = {rule.id: rule for rule in default_contract().scoring.engagement}
    demo = rules["demo_request"]
    assert demo.match.types == (TouchType.FORM_SUBMIT,)
    assert demo.match.content_kinds == (ContentKind.DEMO_REQUEST,)
    assert (demo.points, demo.cap, demo.half_life_days) == (50, 50, 60)
    assert rules["pricing_page"].half_life_days == 30  # inherited from scoring.half_life_days
    assert rules["pricing_page"].match.url == "/pricing"


def test_yaml_1_1_traps_are_read_as_written() -> None:
    """Norway stays "NO", an unquoted 17:00 stays a clock time, tier 1 stays "1"."""
    text = edited('end: "17:00"', "end: 17:30")
    text = edited('equals: "1"', "equals: 1", text)
    contract = parse_contract(text)
    assert "NO" in contract.routing.rules[2].when.countries
    assert contract.sla.business_hours.end == dt.time(17, 30)
    fit = {rule.id: rule.condition for rule in contract.scoring.fit}
    assert fit["target_account"] == Equals("account.tier", "1")


def test_an_error_names_file_line_and_key_path() -> None:
    text = edited(
        "      cap: 15\n      half_life_days: 14", "      cap: 15\n      half_life_days: -3"
    )
    line = line_of(text, "half_life_days: -3")
    assert errors_of(text) == [
        f"contract.yaml:{line} scoring.engagement[8].half_life_days: must be > 0"
    ]


def test_it_reports_every_error_not_just_the_first() -> None:
    text = edited("points: 20", "points: lots")
    text = edited("timezone: America/New_York", "timezone: Mars/Olympus", text)
    text = edited("escalate_to_manager: true", "escalate_to_manger: true", text)
    text = edited("min_acceptance_rate: 0.6", "min_acceptance_rate: 1.5", text)
    assert errors_of(text) == [
        (
            f"contract.yaml:{line_of(text, 'points: lots')} scoring.fit[1].points:"
            " must be a number, not text"
        ),
        (
            f"contract.yaml:{line_of(text, 'Mars/Olympus')} sla.business_hours.timezone:"
            " unknown time zone 'Mars/Olympus' (use an IANA name like Europe/Berlin)"
        ),
        (
            f"contract.yaml:{line_of(text, 'escalate_to_manger')} sla.sales.on_breach."
            "escalate_to_manger: unknown key; did you mean 'escalate_to_manager'?"
        ),
        (
            f"contract.yaml:{line_of(text, 'min_acceptance_rate')} sla.marketing."
            "min_acceptance_rate: must be ≤ 1"
        ),
    ]


def test_a_yaml_syntax_error_names_its_line() -> None:
    text = edited("  marketing: [marketing, admin]", "  marketing: [marketing, admin")
    (error,) = errors_of(text)
    assert error.startswith("contract.yaml:")
    assert "invalid YAML" in error


def test_an_empty_file_and_a_list_are_refused() -> None:
    assert errors_of("") == ["contract.yaml:1 <root>: the file is empty"]
    assert errors_of("- a\n- b\n") == [
        "contract.yaml:1 <root>: must be a mapping of keys to values, not a list"
    ]


def test_a_duplicate_key_is_an_error() -> None:
    text = edited("stages: [lead,", "name: Again\nstages: [lead,")
    first = line_of(text, "name: Default")
    assert (
        f"contract.yaml:{line_of(text, 'name: Again')} name: duplicate key 'name'"
        in (errors_of(text)[0])
    )
    assert f"(first at line {first})" in errors_of(text)[0]


def test_a_missing_section_is_named() -> None:
    start = DEFAULT.index("recycle:\n")
    end = DEFAULT.index("# ----", start)
    text = DEFAULT[:start] + DEFAULT[end:]
    # A missing key is reported where its mapping starts: here the document's first key.
    assert errors_of(text) == [f"contract.yaml:{line_of(text, 'format: 1')} recycle: is required"]


def test_a_field_the_engine_does_not_know_is_refused() -> None:
    text = edited("field: account.industry", "field: account.industy")
    (error,) = errors_of(text)
    assert error.endswith(
        "scoring.fit[0].field: unknown value 'account.industy'; did you mean 'account.industry'?"
    )


def test_an_operator_must_suit_the_field() -> None:
    text = edited("field: account.industry\n      in:", "field: account.industry\n      range:")
    text = edited(
        "[Logistics & Transportation, Manufacturing, Wholesale & Distribution]", "{min: 1}", text
    )
    (error,) = errors_of(text)
    assert error.endswith(
        "scoring.fit[0].range: does not apply to account.industry, which holds text"
    )


def test_a_rule_needs_exactly_one_operator() -> None:
    text = edited('      equals: "1"\n', '      equals: "1"\n      missing: false\n')
    (error,) = errors_of(text)
    assert "scoring.fit[8]: needs exactly one of equals, in, range, regex, missing" in error
    assert "(has equals, missing; keep one)" in error


def test_an_invalid_regular_expression_is_explained() -> None:
    text = edited("regex: '\\bmanager\\b'", "regex: '(manager'")
    (error,) = errors_of(text)
    assert "scoring.fit[5].regex: invalid regular expression: missing )" in error


def test_grades_must_descend() -> None:
    text = edited("grades: {A: 70, B: 50, C: 30, D: 10}", "grades: {A: 70, B: 50, C: 60, D: 10}")
    (error,) = errors_of(text)
    assert error.endswith("scoring.grades.C: must be below the minimum for B (50)")


def test_rule_ids_are_unique_across_sections() -> None:
    text = edited("    - id: chat\n", "    - id: free_mail\n")
    (error,) = errors_of(text)
    assert "scoring.negative[3].id: duplicate rule id 'free_mail'" in error
    assert f"(first at line {line_of(text, '- id: free_mail')})" in error


def test_a_disqualifying_rule_needs_a_disqualify_reason() -> None:
    text = edited("      reason: competitor\n", "      reason: too_clever\n")
    text = edited("      reason: student\n", "", text)
    errors = errors_of(text)
    assert any(
        e.endswith(
            "scoring.negative[0].reason: unknown value 'too_clever'; expected one of: "
            "student, competitor, duplicate, bad_data, spam, wrong_target"
        )
        for e in errors
    )
    assert any(
        e.endswith("scoring.negative[1].reason: is required with disqualify: true") for e in errors
    )


def test_negative_rules_cannot_add_points() -> None:
    text = edited("      points: -15\n", "      points: 15\n")
    (error,) = errors_of(text)
    assert error.endswith("scoring.negative[3].points: must be ≤ 0")


def test_transitions_name_known_stages_and_actors() -> None:
    text = edited("{from: mql, to: sal, by: sales}", "{from: mql, to: sal, by: salse}")
    text = edited(
        "{from: sal, to: sql, by: sales}", "{from: sal, to: sql, by: [sales], reason: why}", text
    )
    errors = errors_of(text)
    assert any(
        e.endswith("transitions[2].by: unknown value 'salse'; did you mean 'sales'?")
        for e in errors
    )
    assert any("transitions[4].reason: unknown value 'why'" in e for e in errors)


def test_a_repeated_transition_is_an_error() -> None:
    text = edited(
        "  - {from: sal, to: sql, by: sales}\n",
        "  - {from: sal, to: sql, by: sales}\n  - {from: sal, to: sql, by: marketing}\n",
    )
    (error,) = errors_of(text)
    assert "transitions[5]: duplicate transition sal->sql" in error


def test_stages_must_be_reachable_from_lead() -> None:
    text = edited("  - {from: sql, to: opportunity, by: sales}\n", "")
    (error,) = errors_of(text)
    assert error.endswith("transitions: no transitions lead from 'lead' to: opportunity, customer")


def test_automatic_rules_need_an_edge_the_rule_may_take() -> None:
    text = edited(
        "{from: sal, to: recycled, by: [rule, sales], reason: reject}",
        "{from: sal, to: recycled, by: sales, reason: reject}",
    )
    (error,) = errors_of(text)
    assert error.endswith(
        "recycle.from[1]: needs a transition sal -> recycled with 'rule' in its 'by'"
    )


def test_the_reason_codes_revloop_relies_on_must_exist() -> None:
    text = edited("    misinformed: Expected something we do not sell or do not promise\n", "")
    text = edited(
        "    misinformed: Expected something we do not sell or do not promise\n", "", text
    )
    (error,) = errors_of(text)
    assert error.endswith("reasons: missing reason codes that revloop relies on: misinformed")


def test_the_mql_rule_needs_a_threshold() -> None:
    text = edited("  min_engagement: 40\n  min_grade: B\n", "")
    (error,) = errors_of(text)
    assert error.endswith(
        "mql: needs at least one of: min_engagement, min_fit, min_total, min_grade"
    )


def test_routing_must_end_with_a_catch_all_and_name_real_teams() -> None:
    text = edited(
        "      team: north_america\n", "      team: north_amerika\n      when: {country: US}\n"
    )
    errors = errors_of(text)
    assert any(
        "routing.rules[3].team: unknown value 'north_amerika'; did you mean 'north_america'?" in e
        for e in errors
    )


def test_routing_last_rule_must_route_everyone() -> None:
    text = edited(
        "      team: north_america\n", "      team: north_america\n      when: {country: US}\n"
    )
    (error,) = errors_of(text)
    assert error.endswith(
        "routing.rules[3]: the last rule must send to a team with no 'when',"
        " so that no MQL is left unrouted"
    )


def test_team_members_are_validated() -> None:
    text = edited(
        "{user: devon, weight: 1, capacity: 150}", "{user: tom, weight: 0, capacity: 2.5}"
    )
    errors = errors_of(text)
    assert any(
        e.endswith("routing.teams.north_america.members[2].weight: must be > 0") for e in errors
    )
    assert any(
        e.endswith("routing.teams.north_america.members[2].capacity: must be a whole number")
        for e in errors
    )


def test_business_hours_need_a_real_day_and_clock() -> None:
    text = edited("days: [mon, tue, wed, thu, fri]", "days: [mon, tues]")
    text = edited('start: "09:00"', 'start: "9 am"', text)
    errors = errors_of(text)
    assert any(
        "sla.business_hours.days[1]: unknown value 'tues'; did you mean 'tue'?" in e for e in errors
    )
    assert any(
        "sla.business_hours.start: '9 am' is not valid: use a time of day like \"09:00\"" in e
        for e in errors
    )


def test_only_format_1_is_read() -> None:
    text = edited("format: 1", "format: 2")
    (error,) = errors_of(text)
    assert (
        error == f"contract.yaml:{line_of(text, 'format: 2')} format: this revloop reads format 1"
    )


def test_parse_contract_raises_with_all_errors() -> None:
    text = edited("points: 30", "points: []")
    text = edited("points: 20", "points: {}", text)
    with pytest.raises(ContractInvalid) as raised:
        parse_contract(text, source="draft.yaml")
    assert len(raised.value.errors) == 2
    assert str(raised.value).startswith("2 errors in the contract\ndraft.yaml:")
    assert all(
        isinstance(e, ContractError) and e.source == "draft.yaml" for e in raised.value.errors
    )


def test_a_merge_key_and_anchor_are_understood() -> None:
    text = edited("  sales:\n    first_touch", "  sales: &sales\n    first_touch")
    contract = parse_contract(text)
    assert contract.sla.sales.attempts == 3


def test_a_recursive_alias_is_an_error_not_a_crash() -> None:
    errors = errors_of("a: &x [*x]\n")
    assert any("recursive alias" in e for e in errors)


def test_the_dump_parses_back_to_the_same_contract() -> None:
    contract = default_contract()
    assert parse_contract(dump_contract(contract)) == contract


def test_a_value_yaml_cannot_read_is_fine_as_text_but_not_as_a_number() -> None:
    """YAML takes 2024-13-45 for a date and fails; a name may still be spelt that way."""
    assert parse_contract(edited("name: Default lead contract", "name: 2024-13-45")).name == (
        "2024-13-45"
    )
    (error,) = errors_of(edited("format: 1", "format: 2024-13-45"))
    assert error.endswith("format: cannot read value '2024-13-45': month must be in 1..12")
