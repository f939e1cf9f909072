"""Properties of the contract parser, on generated contracts and on corrupted ones.

- Any valid contract, dumped to YAML, parses back to an equal contract.
- Whatever damage is done to a contract, the parser answers with errors that name a
  line inside the file and a key path; it never raises anything else.
- A scalar replaced by a mapping is reported at exactly that key path and line.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revloop.engine.contract import (
    FIELDS,
    FieldKind,
    ReasonKind,
    check_contract,
    contract_to_dict,
    default_contract,
    default_contract_text,
    diff_contracts,
    dump_contract,
    parse_contract,
)
from revloop.engine.vocabulary import Channel, ContentKind, TouchType

BASE = contract_to_dict(default_contract())
DISQUALIFY_CODES = default_contract().reasons.codes(ReasonKind.DISQUALIFY)
TEXT_FIELDS = sorted(f for f, kind in FIELDS.items() if kind is FieldKind.TEXT)
NUMBER_FIELDS = sorted(f for f, kind in FIELDS.items() if kind is FieldKind.NUMBER)

# Names and weights skip blanks and zeros; an unlucky run discards enough draws for
# Hypothesis to call it filtering too much, which says nothing about the code.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
texts = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=16
).filter(lambda s: s.strip() != "")
numbers = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3))
points = st.floats(-10_000, 10_000, allow_nan=False).map(lambda x: round(x, 2))
positive = st.floats(0.01, 10_000, allow_nan=False).map(lambda x: round(x, 2)).filter(bool)
patterns = st.sampled_from([r"\bvp\b", "^head of", "(?:cto|cio)$", "manager", r"\d+", "a|b"])


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        field = draw(st.sampled_from(TEXT_FIELDS))
        operator, value = draw(
            st.one_of(
                st.tuples(st.just("equals"), texts),
                st.tuples(st.just("in"), st.lists(texts, min_size=1, max_size=4)),
                st.tuples(st.just("regex"), patterns),
                st.tuples(st.just("missing"), st.booleans()),
            )
        )
    else:
        field = draw(st.sampled_from(NUMBER_FIELDS))
        low, high = sorted(draw(st.lists(numbers, min_size=2, max_size=2, unique=True)))
        bounds = draw(st.sampled_from([{"min": low, "max": high}, {"min": low}, {"max": high}]))
        operator, value = draw(
            st.one_of(
                st.tuples(st.just("equals"), numbers),
                st.tuples(st.just("in"), st.lists(numbers, min_size=1, max_size=4)),
                st.tuples(st.just("range"), st.just(bounds)),
                st.tuples(st.just("missing"), st.booleans()),
            )
        )
    return {"field": field, operator: value}


@st.composite
def matches(draw: st.DrawFn) -> dict[str, Any]:
    options: dict[str, st.SearchStrategy[Any]] = {
        "type": st.lists(st.sampled_from([t.value for t in TouchType]), min_size=1, max_size=3),
        "channel": st.sampled_from([c.value for c in Channel]),
        "campaign": st.lists(texts, min_size=1, max_size=3),
        "content_kind": st.lists(
            st.sampled_from([k.value for k in ContentKind]), min_size=1, max_size=2
        ),
        "content_id": st.lists(st.integers(0, 10**6), min_size=1, max_size=3),
        "url": patterns,
    }
    keys = draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=3))
    return {key: draw(options[key]) for key in keys}


@st.composite
def scoring(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 12))
    ids = draw(st.lists(names, min_size=count, max_size=count, unique=True))
    split = sorted(draw(st.lists(st.integers(0, count), min_size=2, max_size=2)))
    fit = [
        {"id": rule_id, **draw(conditions()), "points": draw(points)} for rule_id in ids[: split[0]]
    ]
    engagement = []
    for rule_id in ids[split[0] : split[1]]:
        rule: dict[str, Any] = {
            "id": rule_id,
            "match": draw(matches()),
            "points": draw(points.filter(bool)),
        }
        if draw(st.booleans()):
            rule["cap"] = draw(positive)
        if draw(st.booleans()):
            rule["half_life_days"] = draw(positive)
        if draw(st.booleans()):
            rule["label"] = draw(texts)
        engagement.append(rule)
    negative = []
    for rule_id in ids[split[1] :]:
        rule = {"id": rule_id, **draw(conditions())}
        disqualify = draw(st.booleans())
        if disqualify:
            rule |= {"disqualify": True, "reason": draw(st.sampled_from(DISQUALIFY_CODES))}
        if not disqualify or draw(st.booleans()):
            rule["points"] = -draw(positive)
        negative.append(rule)
    grades = sorted(draw(st.lists(numbers, min_size=4, max_size=4, unique=True)), reverse=True)
    return {
        "half_life_days": draw(positive),
        "fit": fit,
        "grades": dict(zip("ABCD", grades, strict=True)),
        "engagement": engagement,
        "negative": negative,
    }


@st.composite
def routing(draw: st.DrawFn) -> dict[str, Any]:
    team_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    teams = {}
    for name in team_names:
        users = draw(st.lists(texts, min_size=1, max_size=3, unique=True))
        members = []
        for user in users:
            member: dict[str, Any] = {
                "user": user,
                "weight": draw(positive.filter(lambda w: w <= 1000)),
            }
            if draw(st.booleans()):
                member["capacity"] = draw(st.integers(1, 500))
            members.append(member)
        teams[name] = {"members": members}
    ids = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    rules: list[dict[str, Any]] = []
    for rule_id in ids[:-1]:
        when_options: dict[str, st.SearchStrategy[Any]] = {
            "country": st.lists(st.from_regex(r"[A-Z]{2}", fullmatch=True), min_size=1, max_size=3),
            "region": st.lists(texts, min_size=1, max_size=2),
            "tier": st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=2),
            "size": st.just({"min": 10, "max": 500}),
        }
        keys = draw(st.lists(st.sampled_from(sorted(when_options)), min_size=1, unique=True))
        rule = {"id": rule_id, "team": draw(st.sampled_from(team_names))}
        if draw(st.booleans()):
            rule = {"id": rule_id, "account_owner": True}
        rule["when"] = {key: draw(when_options[key]) for key in keys}
        rules.append(rule)
    rules.append({"id": ids[-1], "team": draw(st.sampled_from(team_names))})
    return {"rules": rules, "teams": teams}


holidays = st.lists(st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)), max_size=5, unique=True)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@st.composite
def calendar_hours(draw: st.DrawFn) -> dict[str, Any]:
    """Days, opening and closing, and maybe holidays (dates, or the same as text)."""
    start, end = sorted(
        draw(st.lists(st.integers(0, 24 * 60 - 1), min_size=2, max_size=2, unique=True))
    )
    hours: dict[str, Any] = {
        "days": draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True)),
        "start": f"{start // 60:02d}:{start % 60:02d}",
        "end": f"{end // 60:02d}:{end % 60:02d}",
    }
    if draw(st.booleans()):
        days = draw(holidays)
        hours["holidays"] = days if draw(st.booleans()) else [day.isoformat() for day in days]
    return hours


@st.composite
def calendars(draw: st.DrawFn) -> dict[str, Any]:
    found = {}
    for name in draw(st.lists(names.filter(lambda n: n != "default"), max_size=3, unique=True)):
        calendar = draw(calendar_hours())
        if draw(st.booleans()):
            calendar["timezone"] = draw(st.sampled_from(["Europe/Berlin", "Asia/Tokyo", "UTC"]))
        found[name] = calendar
    return found


@st.composite
def contracts(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["name"] = draw(texts)
    data["scoring"] = draw(scoring())
    thresholds = {
        key: draw(numbers)
        for key in draw(
            st.lists(st.sampled_from(["min_engagement", "min_fit", "min_total"]), unique=True)
        )
    }
    if not thresholds or draw(st.booleans()):
        thresholds["min_grade"] = draw(st.sampled_from("ABCDF"))
    data["mql"] = {**thresholds, "from": data["mql"]["from"]}
    data["recycle"]["no_touch_days"] = draw(positive)
    data["sla"]["marketing"]["min_acceptance_rate"] = draw(
        st.floats(0, 1).map(lambda x: round(x, 4))
    )
    data["sla"]["sales"]["attempts"]["count"] = draw(st.integers(1, 20))
    data["routing"] = draw(routing())
    data["sla"]["business_hours"] = {
        "timezone": data["sla"]["business_hours"]["timezone"],
        **draw(calendar_hours()),
    }
    if draw(st.booleans()):
        data["sla"]["calendars"] = draw(calendars())
    return data


@PROPERTY
@given(contracts())
def test_valid_contracts_round_trip(data: dict[str, Any]) -> None:
    contract = parse_contract(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    again = parse_contract(dump_contract(contract))
    assert again == contract
    assert [c.name for c in again.sla.calendars] == list(data["sla"].get("calendars", {}))
    written = data["sla"]["business_hours"].get("holidays", [])
    assert [day.isoformat() for day in again.sla.business_hours.holidays] == sorted(
        day if isinstance(day, str) else day.isoformat() for day in written
    )
    assert [r.id for r in again.scoring.fit] == [r["id"] for r in data["scoring"]["fit"]]
    assert [r.id for r in again.scoring.engagement] == [
        r["id"] for r in data["scoring"]["engagement"]
    ]


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every position in the data, parents before children."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _scalar_paths(value: Any) -> list[tuple[str | int, ...]]:
    return [path for path in _paths(value) if not isinstance(_get(value, path), dict | list)]


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _format(path: tuple[str | int, ...]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def _node_line(text: str, path: tuple[str | int, ...]) -> int:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for key in path:
        if isinstance(key, int):
            node = node.value[key]
        else:
            node = next(v for k, v in node.value if k.value == key)
    return int(node.start_mark.line) + 1


def _assert_located(text: str) -> None:
    contract, errors = check_contract(text)
    if contract is not None:
        assert errors == ()
        return
    assert errors
    line_count = max(text.count("\n") + 1, 1)
    for error in errors:
        assert 1 <= error.line <= line_count, error
        assert error.path, error
        assert str(error).startswith(f"contract.yaml:{error.line} {error.path}: "), error


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@PROPERTY
@given(st.data())
def test_corrupted_values_give_located_errors_never_a_crash(data: st.DataObject) -> None:
    damaged = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(damaged)
        path = data.draw(st.sampled_from(paths))
        parent = _get(damaged, path[:-1])
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(junk)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(min_size=1, max_size=8))] = data.draw(junk)
        else:
            parent.append(data.draw(junk))
    _assert_located(yaml.safe_dump(damaged, sort_keys=False, allow_unicode=True))


@PROPERTY
@given(st.data())
def test_a_scalar_turned_into_a_mapping_is_named_exactly(data: st.DataObject) -> None:
    damaged = copy.deepcopy(BASE)
    path = data.draw(st.sampled_from(_scalar_paths(damaged)))
    _get(damaged, path[:-1])[path[-1]] = {"junk": 1}
    text = yaml.safe_dump(damaged, sort_keys=False, allow_unicode=True)
    contract, errors = check_contract(text)
    assert contract is None
    located = {(error.line, error.path) for error in errors}
    assert (_node_line(text, path), _format(path)) in located, errors


DEFAULT_TEXT = default_contract_text()


@PROPERTY
@given(st.data())
def test_damaged_text_gives_located_errors_never_a_crash(data: st.DataObject) -> None:
    lines = DEFAULT_TEXT.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "indent"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = " " * data.draw(st.integers(1, 3)) + lines[index]
        else:
            position = data.draw(st.integers(0, len(lines[index])))
            noise = data.draw(st.text(min_size=1, max_size=4))
            lines[index] = lines[index][:position] + noise + lines[index][position:]
    _assert_located("".join(lines))


@PROPERTY
@given(contracts())
def test_a_diff_is_empty_exactly_when_the_contracts_mean_the_same(data: dict[str, Any]) -> None:
    contract = parse_contract(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    default = default_contract()
    assert not diff_contracts(contract, contract)
    forward, backward = diff_contracts(default, contract), diff_contracts(contract, default)
    assert bool(forward) == (contract != default)
    # The way back undoes the way there: additions become removals and vice versa.
    counts, back = forward.counts(), backward.counts()
    assert (counts["added"], counts["removed"]) == (back["removed"], back["added"])
    assert counts["changed"] == back["changed"]
