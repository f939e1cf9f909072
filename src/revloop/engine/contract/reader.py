"""Typed reads from located YAML nodes that record an error instead of raising.

Each read returns ``None`` when the value is unusable, after recording an error with
the node's line and key path, so the parser carries on and reports everything.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Sequence

from revloop.engine.contract.errors import ContractError
from revloop.engine.contract.loader import ROOT, YMap, YNode, YScalar, YSeq, child

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_HINT = "lower-case letters, digits and _, starting with a letter"


def _kind(node: YNode) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    if node.is_null:
        return "empty"
    if isinstance(node.value, bool):
        return "true/false"
    if isinstance(node.value, int | float):
        return "a number"
    return "text"


def _out_of_bounds(
    number: float, *, gt: float | None, ge: float | None, le: float | None, whole: bool
) -> str:
    if not math.isfinite(number):
        return "must be a finite number"
    if whole and not number.is_integer():
        return "must be a whole number"
    if gt is not None and not number > gt:
        return f"must be > {gt:g}"
    if ge is not None and not number >= ge:
        return f"must be ≥ {ge:g}"
    if le is not None and not number <= le:
        return f"must be ≤ {le:g}"
    return ""


class Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[ContractError] = []

    def error(self, line: int, path: str, message: str) -> None:
        self.errors.append(ContractError(line, path or ROOT, message, self.source))

    def complain(self, node: YNode, path: str, message: str) -> None:
        """Report a value that is not a number or boolean; YAML's own complaint comes first
        when it could not read the value at all (an impossible date, say)."""
        problem = node.problem if isinstance(node, YScalar) else ""
        self.error(node.line, path, problem or message)

    def mapping(
        self,
        node: YNode,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
        any_keys: bool = False,
    ) -> dict[str, YNode] | None:
        """A mapping; unknown keys are errors (with a suggestion) unless ``any_keys``."""
        if not isinstance(node, YMap):
            self.error(node.line, path, f"must be a mapping of keys to values, not {_kind(node)}")
            return None
        known = [*required, *optional]
        items: dict[str, YNode] = {}
        for key, value in node.items.items():
            if any_keys or key in known:
                items[key] = value
                continue
            hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            expected = f"did you mean {hint[0]!r}?" if hint else f"expected: {', '.join(known)}"
            self.error(node.key_lines[key], child(path, key), f"unknown key; {expected}")
        for key in required:
            if key not in node.items:
                self.error(node.line, child(path, key), "is required")
        return items

    def named_entries(self, node: YNode, path: str) -> list[tuple[str, int, YNode]] | None:
        """A mapping whose keys are names the file chooses (actors, reason codes, teams)."""
        if not isinstance(node, YMap):
            self.error(node.line, path, f"must be a mapping of names to values, not {_kind(node)}")
            return None
        entries = []
        for key, value in node.items.items():
            line = node.key_lines[key]
            if NAME.match(key):
                entries.append((key, line, value))
            else:
                self.error(line, child(path, key), f"{key!r} is not a valid name: use {NAME_HINT}")
        return entries if len(entries) == len(node.items) else None

    def sequence(
        self, node: YNode, path: str, *, non_empty: bool = False
    ) -> tuple[YNode, ...] | None:
        if not isinstance(node, YSeq):
            self.error(node.line, path, f"must be a list, not {_kind(node)}")
            return None
        if non_empty and not node.items:
            self.error(node.line, path, "must not be empty")
            return None
        return node.items

    def text(
        self, node: YNode, path: str, *, pattern: re.Pattern[str] | None = None, hint: str = ""
    ) -> str | None:
        """Text as written: ``NO`` stays "NO" and ``1`` stays "1" (see loader)."""
        if not isinstance(node, YScalar) or node.is_null:
            self.error(node.line, path, f"must be text, not {_kind(node)}")
            return None
        text = node.raw
        if not text.strip():
            self.error(node.line, path, "must not be empty")
            return None
        if pattern is not None and not pattern.match(text):
            self.error(node.line, path, f"{text!r} is not valid: use {hint or pattern.pattern}")
            return None
        return text

    def name(self, node: YNode, path: str) -> str | None:
        return self.text(node, path, pattern=NAME, hint=NAME_HINT)

    def number(
        self,
        node: YNode,
        path: str,
        *,
        gt: float | None = None,
        ge: float | None = None,
        le: float | None = None,
        whole: bool = False,
    ) -> float | None:
        value = node.value if isinstance(node, YScalar) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.complain(node, path, f"must be a number, not {_kind(node)}")
            return None
        number = float(value)
        message = _out_of_bounds(number, gt=gt, ge=ge, le=le, whole=whole)
        if message:
            self.error(node.line, path, message)
            return None
        return number

    def integer(self, node: YNode, path: str, *, ge: float | None = None) -> int | None:
        number = self.number(node, path, ge=ge, whole=True, le=1e12)
        return None if number is None else int(number)

    def boolean(self, node: YNode, path: str) -> bool | None:
        value = node.value if isinstance(node, YScalar) else None
        if not isinstance(value, bool):
            self.complain(node, path, f"must be true or false, not {_kind(node)}")
            return None
        return value

    def choice(self, node: YNode, path: str, options: Sequence[str]) -> str | None:
        text = self.text(node, path)
        if text is None:
            return None
        if text not in options:
            hint = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
            expected = (
                f"did you mean {hint[0]!r}?" if hint else f"expected one of: {', '.join(options)}"
            )
            self.error(node.line, path, f"unknown value {text!r}; {expected}")
            return None
        return text

    def items(self, node: YNode, path: str) -> list[tuple[str, YNode]] | None:
        """One value or a list of values, each with its own path (``key`` or ``key[2]``)."""
        if isinstance(node, YSeq):
            if not node.items:
                self.error(node.line, path, "must not be an empty list")
                return None
            return [(child(path, i), item) for i, item in enumerate(node.items)]
        if isinstance(node, YMap):
            self.error(node.line, path, "must be a value or a list of values, not a mapping")
            return None
        return [(path, node)]

    def texts(
        self,
        node: YNode,
        path: str,
        *,
        options: Sequence[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
    ) -> tuple[str, ...] | None:
        """One text or a list of texts; ``None`` if any of them is invalid."""
        items = self.items(node, path)
        if items is None:
            return None
        values = [
            self.choice(item, item_path, options)
            if options is not None
            else self.text(item, item_path, pattern=pattern, hint=hint)
            for item_path, item in items
        ]
        texts = [value for value in values if value is not None]
        return tuple(texts) if len(texts) == len(values) else None

    def unique(self, entries: Sequence[tuple[str, int, str]], what: str) -> None:
        """Flag repeated names; ``entries`` are (name, line, path)."""
        first: dict[str, int] = {}
        for name, line, path in entries:
            if name in first:
                self.error(line, path, f"duplicate {what} {name!r} (first at line {first[name]})")
            else:
                first[name] = line
