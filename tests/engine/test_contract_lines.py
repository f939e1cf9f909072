"""Error lines are the lines an editor shows, whatever characters YAML counts as breaks."""

from __future__ import annotations

import pytest
import yaml

from revloop.engine.contract import check_contract, default_contract_text


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_a_yaml_line_separator_inside_a_key_does_not_shift_later_lines(separator: str) -> None:
    """NEL and the Unicode separators end a line for YAML, not for an editor."""
    extra = yaml.safe_dump({f"odd{separator}key": 1, "surplus": 2}, allow_unicode=True)
    text = default_contract_text() + extra
    _, errors = check_contract(text)
    last = text.count("\n")
    assert [(error.line, error.path) for error in errors][-1] == (last, "surplus")
    assert all(1 <= error.line <= last for error in errors)
