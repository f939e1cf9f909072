"""Diffs between contract versions: what both teams read before they sign."""

from __future__ import annotations

from revloop.engine.contract import (
    Change,
    ChangeKind,
    default_contract,
    default_contract_text,
    diff_contracts,
    parse_contract,
)

DEFAULT = default_contract_text()


def edited(*replacements: tuple[str, str]) -> str:
    text = DEFAULT
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_identical_versions_have_no_changes() -> None:
    diff = diff_contracts(default_contract(), parse_contract(DEFAULT + "\n# a comment\n"))
    assert not diff
    assert diff.changes == ()
    assert diff.render().startswith("No changes")


def test_a_threshold_change_is_one_change_with_its_path() -> None:
    new = parse_contract(edited(("min_engagement: 40", "min_engagement: 50")))
    diff = diff_contracts(default_contract(), new)
    assert diff.changes == (Change(ChangeKind.CHANGED, "mql.min_engagement", 40, 50),)
    assert diff.render().splitlines()[1] == "~ mql.min_engagement: 40 → 50"


def test_rules_are_matched_by_id_not_position() -> None:
    start = DEFAULT.index("    - id: manager_title")
    end = DEFAULT.index("    - id: fleet_role")
    moved = DEFAULT[:start] + DEFAULT[end:]
    anchor = moved.index("    - id: target_industry")
    moved = moved[:anchor] + DEFAULT[start:end] + moved[anchor:]
    assert not diff_contracts(default_contract(), parse_contract(moved))


def test_added_removed_and_changed_rules() -> None:
    text = edited(
        (
            "      regex: '\\bmanager\\b'\n      points: 5",
            "      regex: '\\bmanager\\b'\n      points: 12",
        ),
        (
            "    - id: job_seeker\n",
            (
                "    - id: trial\n      match: {type: form_submit, url: /trial}\n      points: 30\n"
                "    - id: job_seeker\n"
            ),
        ),
        (
            (
                "    - id: chat\n      label: Talked to us in chat\n      match: {type: chat}\n"
                "      points: 10\n      cap: 20\n"
            ),
            "",
        ),
    )
    diff = diff_contracts(default_contract(), parse_contract(text))
    assert [(c.kind, c.path) for c in diff.changes] == [
        (ChangeKind.CHANGED, "scoring.fit[manager_title].points"),
        (ChangeKind.REMOVED, "scoring.engagement[chat]"),
        (ChangeKind.ADDED, "scoring.engagement[trial]"),
    ]
    added = diff.changes[2]
    assert added.new == {
        "label": "trial",
        "match": {"type": ["form_submit"], "url": "/trial"},
        "points": 30,
        "half_life_days": 30,
    }
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 1}


def test_list_changes_show_what_was_added_and_removed() -> None:
    text = edited(("Manufacturing, Wholesale & Distribution]", "Manufacturing, Retail]"))
    diff = diff_contracts(default_contract(), parse_contract(text))
    (change,) = diff.changes
    assert change.path == "scoring.fit[target_industry].in"
    assert change.render() == (
        "~ scoring.fit[target_industry].in: +Retail -Wholesale & Distribution"
    )


def test_transitions_are_keyed_by_their_edge() -> None:
    text = edited(
        ("{from: mql, to: sal, by: sales}", "{from: mql, to: sal, by: [sales, marketing]}"),
        ("  - {from: disqualified, to: lead, by: [marketing, sales]}\n", ""),
    )
    diff = diff_contracts(default_contract(), parse_contract(text))
    assert [(c.kind, c.path, c.old, c.new) for c in diff.changes] == [
        (ChangeKind.CHANGED, "transitions[mql->sal].by", ["sales"], ["sales", "marketing"]),
        (
            ChangeKind.REMOVED,
            "transitions[disqualified->lead]",
            {"by": ["marketing", "sales"]},
            None,
        ),
    ]


def test_routing_order_counts_because_the_first_match_wins() -> None:
    block = (
        "    - id: emea\n"
        "      label: EMEA accounts go to the Berlin team\n"
        "      when: {region: EMEA}\n"
        "      team: emea\n"
    )
    text = edited((block, ""), ("    - id: account_owner\n", block + "    - id: account_owner\n"))
    diff = diff_contracts(default_contract(), parse_contract(text))
    (change,) = diff.changes
    assert change.path == "routing.rules order"
    assert change.render() == (
        "~ routing.rules order: emea, account_owner, emea_countries, everyone_else"
        " (was account_owner, emea, emea_countries, everyone_else)"
    )


def test_team_members_are_keyed_by_user() -> None:
    text = edited(
        ("{user: devon, weight: 1, capacity: 150}", "{user: devon, weight: 3, capacity: 150}")
    )
    diff = diff_contracts(default_contract(), parse_contract(text))
    assert diff.to_dict()["changes"] == [
        {
            "kind": "changed",
            "path": "routing.teams.north_america.members[devon].weight",
            "old": 1,
            "new": 3,
        }
    ]


def test_the_json_form_names_both_versions() -> None:
    text = edited(("name: Default lead contract", "name: Q3 contract"))
    data = diff_contracts(default_contract(), parse_contract(text)).to_dict()
    assert data["old"] == "Default lead contract"
    assert data["new"] == "Q3 contract"
    assert data["changes"] == [
        {"kind": "changed", "path": "name", "old": "Default lead contract", "new": "Q3 contract"}
    ]
