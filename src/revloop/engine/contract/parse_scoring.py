"""The scoring section: fit rules and grades, engagement rules with decay, negative rules."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import TypeVar

from revloop.engine.contract.conditions import (
    OPERATORS,
    Condition,
    Equals,
    InRange,
    Matches,
    Missing,
    OneOf,
)
from revloop.engine.contract.fields import FIELDS, FieldKind
from revloop.engine.contract.loader import YMap, YNode, child
from revloop.engine.contract.reader import Reader
from revloop.engine.contract.schema import (
    GRADES,
    MAX_CAP,
    MAX_POINTS,
    EngagementRule,
    FitRule,
    GradeScale,
    NegativeRule,
    NumberRange,
    ReasonKind,
    Reasons,
    Scoring,
    TouchMatch,
)
from revloop.engine.vocabulary import Channel, ContentKind, TouchType

T = TypeVar("T")

FIT_KEYS = ("id", "label", "field", "points", *OPERATORS)
NEGATIVE_KEYS = ("id", "label", "field", "points", "disqualify", "reason", *OPERATORS)
ENGAGEMENT_KEYS = ("id", "label", "match", "points", "cap", "half_life_days")
MATCH_KEYS = ("type", "channel", "campaign", "content_kind", "content_id", "url")

#: Rule ids seen so far, as (id, line, path), to report duplicates across sections.
IdEntries = list[tuple[str, int, str]]


def parse_scoring(read: Reader, node: YNode, path: str, reasons: Reasons | None) -> Scoring | None:
    items = read.mapping(
        node,
        path,
        required=("half_life_days", "fit", "grades", "engagement"),
        optional=("negative",),
    )
    if items is None:
        return None
    ids: IdEntries = []
    half_life = (
        read.number(items["half_life_days"], child(path, "half_life_days"), gt=0)
        if "half_life_days" in items
        else None
    )
    fit = _rules(read, items, path, "fit", lambda n, p: _fit_rule(read, n, p, ids))
    grades = _grades(read, items["grades"], child(path, "grades")) if "grades" in items else None
    engagement = _rules(
        read, items, path, "engagement", lambda n, p: _engagement_rule(read, n, p, half_life, ids)
    )
    negative: tuple[NegativeRule, ...] | None = ()
    if "negative" in items:
        negative = _rules(
            read, items, path, "negative", lambda n, p: _negative_rule(read, n, p, reasons, ids)
        )
    read.unique(ids, "rule id")
    if half_life is None or fit is None or grades is None or engagement is None or negative is None:
        return None
    return Scoring(half_life, fit, grades, engagement, negative)


def _rules(
    read: Reader,
    items: dict[str, YNode],
    path: str,
    key: str,
    parse_one: Callable[[YNode, str], T | None],
) -> tuple[T, ...] | None:
    if key not in items:
        return None
    section = child(path, key)
    entries = read.sequence(items[key], section)
    if entries is None:
        return None
    rules = [parse_one(entry, child(section, index)) for index, entry in enumerate(entries)]
    parsed = [rule for rule in rules if rule is not None]
    return tuple(parsed) if len(parsed) == len(rules) else None


def _rule_head(
    read: Reader,
    node: YNode,
    path: str,
    *,
    keys: tuple[str, ...],
    required: tuple[str, ...],
    ids: IdEntries,
) -> tuple[dict[str, YNode], str, str] | None:
    """The keys every rule shares: an ``id`` unique across sections, an optional ``label``."""
    optional = [key for key in keys if key not in required]
    items = read.mapping(node, path, required=required, optional=optional)
    if items is None:
        return None
    rule_id = read.name(items["id"], child(path, "id")) if "id" in items else None
    if rule_id is not None:
        ids.append((rule_id, items["id"].line, child(path, "id")))
    label = read.text(items["label"], child(path, "label")) if "label" in items else rule_id
    return (items, rule_id, label) if rule_id is not None and label is not None else None


def _raw_items(node: YNode) -> dict[str, YNode] | None:
    # The rest of a rule whose head is unusable still gets checked: report everything at once.
    return node.items if isinstance(node, YMap) else None


def _fit_rule(read: Reader, node: YNode, path: str, ids: IdEntries) -> FitRule | None:
    head = _rule_head(read, node, path, keys=FIT_KEYS, required=("id", "field", "points"), ids=ids)
    items = head[0] if head else _raw_items(node)
    condition = _condition(read, node, items, path) if items is not None else None
    points = (
        read.number(items["points"], child(path, "points"), ge=-MAX_POINTS, le=MAX_POINTS)
        if items is not None and "points" in items
        else None
    )
    if head is None or condition is None or points is None:
        return None
    return FitRule(head[1], head[2], condition, points)


def _negative_rule(
    read: Reader, node: YNode, path: str, reasons: Reasons | None, ids: IdEntries
) -> NegativeRule | None:
    head = _rule_head(read, node, path, keys=NEGATIVE_KEYS, required=("id", "field"), ids=ids)
    items = head[0] if head else _raw_items(node)
    if items is None:
        return None
    condition = _condition(read, node, items, path)
    points = (
        read.number(items["points"], child(path, "points"), ge=-MAX_POINTS, le=0)
        if "points" in items
        else 0.0
    )
    disqualify = (
        read.boolean(items["disqualify"], child(path, "disqualify"))
        if "disqualify" in items
        else False
    )
    reason_ok, reason = _disqualify_reason(
        read, node, items, path, disqualify=disqualify, reasons=reasons
    )
    if head is None or condition is None or points is None or disqualify is None or not reason_ok:
        return None
    if points == 0 and not disqualify:
        read.error(node.line, path, "needs negative points, disqualify: true, or both")
        return None
    return NegativeRule(head[1], head[2], condition, points, disqualify, reason)


def _disqualify_reason(
    read: Reader,
    node: YNode,
    items: dict[str, YNode],
    path: str,
    *,
    disqualify: bool | None,
    reasons: Reasons | None,
) -> tuple[bool, str | None]:
    """(valid, reason code): a disqualifying rule names the disqualify reason it records."""
    reason_path = child(path, "reason")
    if "reason" not in items:
        if disqualify:
            read.error(node.line, reason_path, "is required with disqualify: true")
            return False, None
        return True, None
    if disqualify is False:
        read.error(items["reason"].line, reason_path, "is only used with disqualify: true")
        return False, None
    if reasons is None:
        code = read.name(items["reason"], reason_path)
    else:
        code = read.choice(items["reason"], reason_path, reasons.codes(ReasonKind.DISQUALIFY))
    return code is not None, code


def _condition(read: Reader, node: YNode, items: dict[str, YNode], path: str) -> Condition | None:
    operators = [key for key in OPERATORS if key in items]
    if len(operators) != 1:
        found = f"has {', '.join(operators)}; keep one" if operators else "has none"
        read.error(node.line, path, f"needs exactly one of {', '.join(OPERATORS)} ({found})")
        return None
    if "field" not in items:
        return None
    field = read.choice(items["field"], child(path, "field"), tuple(FIELDS))
    if field is None:
        return None
    operator = operators[0]
    kind = FIELDS[field]
    value, value_path = items[operator], child(path, operator)
    parse = _TEXT_CONDITIONS if kind is FieldKind.TEXT else _NUMBER_CONDITIONS
    if operator not in parse:
        read.error(value.line, value_path, f"does not apply to {field}, which holds {kind.value}")
        return None
    return parse[operator](read, field, value, value_path)


def _text_equals(read: Reader, field: str, node: YNode, path: str) -> Condition | None:
    text = read.text(node, path)
    return None if text is None else Equals(field, text)


def _text_in(read: Reader, field: str, node: YNode, path: str) -> Condition | None:
    texts = read.texts(node, path)
    return None if texts is None else OneOf(field, texts)


def _regex(read: Reader, field: str, node: YNode, path: str) -> Condition | None:
    pattern = read.text(node, path)
    if pattern is None:
        return None
    try:
        re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        read.error(node.line, path, f"invalid regular expression: {exc}")
        return None
    return Matches(field, pattern)


def _missing(read: Reader, field: str, node: YNode, path: str) -> Condition | None:
    expected = read.boolean(node, path)
    return None if expected is None else Missing(field, expected)


def _number_equals(read: Reader, field: str, node: YNode, path: str) -> Condition | None:
    number = read.number(node, path)
    return None if number is None else Equals(field, number)


def _number_in(read: Reader, field: str, node: YNode, path: str) -> Condition | None:
    items = read.items(node, path)
    if items is None:
        return None
    numbers = [read.number(item, item_path) for item_path, item in items]
    values = tuple(n for n in numbers if n is not None)
    return OneOf(field, values) if len(values) == len(numbers) else None


def _range(read: Reader, field: str, node: YNode, path: str) -> Condition | None:
    bounds = parse_range(read, node, path)
    return None if bounds is None else InRange(field, bounds.minimum, bounds.maximum)


def parse_range(read: Reader, node: YNode, path: str) -> NumberRange | None:
    """``{min: 200, max: 5000}``: at least ``min`` and below ``max``; either may be left out."""
    items = read.mapping(node, path, optional=("min", "max"))
    if items is None:
        return None
    if not items:
        read.error(node.line, path, "needs min, max or both")
        return None
    low = read.number(items["min"], child(path, "min")) if "min" in items else None
    high = read.number(items["max"], child(path, "max")) if "max" in items else None
    if ("min" in items and low is None) or ("max" in items and high is None):
        return None
    if low is not None and high is not None and not low < high:
        read.error(items["max"].line, child(path, "max"), f"must be above min ({low:g})")
        return None
    return NumberRange(low, high)


_Parse = Callable[[Reader, str, YNode, str], Condition | None]
_TEXT_CONDITIONS: dict[str, _Parse] = {
    "equals": _text_equals,
    "in": _text_in,
    "regex": _regex,
    "missing": _missing,
}
_NUMBER_CONDITIONS: dict[str, _Parse] = {
    "equals": _number_equals,
    "in": _number_in,
    "range": _range,
    "missing": _missing,
}


def _grades(read: Reader, node: YNode, path: str) -> GradeScale | None:
    letters = GRADES[:-1]
    items = read.mapping(node, path, required=letters)
    if items is None:
        return None
    values: list[float] = []
    for letter in letters:
        if letter not in items:
            continue
        number = read.number(items[letter], child(path, letter))
        if number is None:
            continue
        if values and len(values) == letters.index(letter) and not number < values[-1]:
            above = letters[len(values) - 1]
            read.error(
                items[letter].line,
                child(path, letter),
                f"must be below the minimum for {above} ({values[-1]:g})",
            )
        values.append(number)
    if len(values) != len(letters) or any(not b < a for a, b in itertools.pairwise(values)):
        return None
    return GradeScale(*values)


def _engagement_rule(
    read: Reader, node: YNode, path: str, default_half_life: float | None, ids: IdEntries
) -> EngagementRule | None:
    head = _rule_head(
        read, node, path, keys=ENGAGEMENT_KEYS, required=("id", "match", "points"), ids=ids
    )
    items = head[0] if head else _raw_items(node)
    if items is None:
        return None
    points = (
        read.number(items["points"], child(path, "points"), ge=-MAX_POINTS, le=MAX_POINTS)
        if "points" in items
        else None
    )
    if points == 0:
        read.error(items["points"].line, child(path, "points"), "must not be 0")
        points = None
    cap = (
        read.number(items["cap"], child(path, "cap"), gt=0, le=MAX_CAP) if "cap" in items else None
    )
    half_life = (
        read.number(items["half_life_days"], child(path, "half_life_days"), gt=0)
        if "half_life_days" in items
        else default_half_life
    )
    match = _match(read, items["match"], child(path, "match")) if "match" in items else None
    if (
        head is None
        or points is None
        or half_life is None
        or match is None
        or ("cap" in items and cap is None)
    ):
        return None
    return EngagementRule(head[1], head[2], match, points, half_life, cap)


def _match(read: Reader, node: YNode, path: str) -> TouchMatch | None:
    items = read.mapping(node, path, optional=MATCH_KEYS)
    if items is None:
        return None
    parts = {key: child(path, key) for key in items}
    types = _vocabulary(read, items, parts, "type", TouchType)
    channels = _vocabulary(read, items, parts, "channel", Channel)
    kinds = _vocabulary(read, items, parts, "content_kind", ContentKind)
    campaigns = read.texts(items["campaign"], parts["campaign"]) if "campaign" in items else ()
    content_ids = (
        _content_ids(read, items["content_id"], parts["content_id"])
        if "content_id" in items
        else ()
    )
    url = _regex(read, "url", items["url"], parts["url"]) if "url" in items else None
    if (
        types is None
        or channels is None
        or kinds is None
        or campaigns is None
        or content_ids is None
        or ("url" in items and url is None)
    ):
        return None
    return TouchMatch(
        types=types,
        channels=channels,
        campaigns=tuple(dict.fromkeys(campaigns)),
        content_kinds=kinds,
        content_ids=content_ids,
        url=url.pattern if isinstance(url, Matches) else None,
    )


E = TypeVar("E", TouchType, Channel, ContentKind)


def _vocabulary(
    read: Reader, items: dict[str, YNode], paths: dict[str, str], key: str, kind: type[E]
) -> tuple[E, ...] | None:
    if key not in items:
        return ()
    values = read.texts(items[key], paths[key], options=tuple(member.value for member in kind))
    return None if values is None else tuple(kind(value) for value in dict.fromkeys(values))


def _content_ids(read: Reader, node: YNode, path: str) -> tuple[int, ...] | None:
    items = read.items(node, path)
    if items is None:
        return None
    ids = [read.integer(item, item_path, ge=0) for item_path, item in items]
    values = [value for value in ids if value is not None]
    return tuple(dict.fromkeys(values)) if len(values) == len(ids) else None
