"""The process sections: actors, stages, transitions, reason codes, MQL and recycle rules."""

from __future__ import annotations

from collections import deque

from revloop.engine.contract.loader import YNode, child
from revloop.engine.contract.reader import Reader
from revloop.engine.contract.schema import (
    GRADES,
    REQUIRED_REASON_CODES,
    RULE_ACTOR,
    Actor,
    MqlRule,
    Reason,
    ReasonKind,
    Reasons,
    RecycleRule,
    Transition,
)
from revloop.engine.vocabulary import LifecycleStage, Role

STAGE_NAMES = tuple(stage.value for stage in LifecycleStage)
ROLE_NAMES = tuple(role.value for role in Role)


def parse_actors(read: Reader, node: YNode, path: str) -> tuple[Actor, ...] | None:
    entries = read.named_entries(node, path)
    if entries is None:
        return None
    if not entries:
        read.error(node.line, path, "must name at least one actor")
        return None
    actors: list[Actor] = []
    for name, line, value in entries:
        if name == RULE_ACTOR:
            read.error(line, child(path, name), f"{RULE_ACTOR!r} is reserved for automatic rules")
            continue
        roles = read.texts(value, child(path, name), options=ROLE_NAMES)
        if roles is not None:
            actors.append(Actor(name, tuple(Role(role) for role in dict.fromkeys(roles))))
    return tuple(actors) if len(actors) == len(entries) else None


def parse_stages(read: Reader, node: YNode, path: str) -> tuple[LifecycleStage, ...] | None:
    stages = read.texts(node, path, options=STAGE_NAMES)
    if stages is None:
        return None
    entries = [(stage, node.line, path) for stage in stages]
    before = len(read.errors)
    read.unique(entries, "stage")
    if LifecycleStage.LEAD.value not in stages:
        read.error(node.line, path, "must include 'lead', where every new person starts")
    if len(read.errors) > before:
        return None
    return tuple(LifecycleStage(stage) for stage in stages)


def parse_transitions(
    read: Reader,
    node: YNode,
    path: str,
    stages: tuple[LifecycleStage, ...] | None,
    actors: tuple[Actor, ...] | None,
) -> tuple[Transition, ...] | None:
    entries = read.sequence(node, path, non_empty=True)
    if entries is None:
        return None
    stage_names = tuple(s.value for s in stages) if stages else STAGE_NAMES
    actor_names = (RULE_ACTOR, *(a.name for a in actors)) if actors else None
    transitions: list[Transition] = []
    seen: dict[str, int] = {}
    ok = True
    for index, entry in enumerate(entries):
        entry_path = child(path, index)
        items = read.mapping(entry, entry_path, required=("from", "to", "by"), optional=("reason",))
        if items is None or not {"from", "to", "by"} <= items.keys():
            ok = False
            continue
        sources = read.texts(items["from"], child(entry_path, "from"), options=stage_names)
        target = read.choice(items["to"], child(entry_path, "to"), stage_names)
        by = (
            read.texts(items["by"], child(entry_path, "by"), options=actor_names)
            if actor_names is not None
            else read.texts(items["by"], child(entry_path, "by"))
        )
        reason = (
            read.choice(items["reason"], child(entry_path, "reason"), [k.value for k in ReasonKind])
            if "reason" in items
            else None
        )
        if (
            sources is None
            or target is None
            or by is None
            or ("reason" in items and reason is None)
        ):
            ok = False
            continue
        for source in sources:
            edge = Transition(
                LifecycleStage(source),
                LifecycleStage(target),
                tuple(dict.fromkeys(by)),
                ReasonKind(reason) if reason is not None else None,
            )
            if source == target:
                read.error(
                    entry.line, child(entry_path, "to"), f"a stage cannot move to itself ({source})"
                )
                ok = False
            elif edge.key in seen:
                read.error(
                    entry.line,
                    entry_path,
                    f"duplicate transition {edge.key} (first at line {seen[edge.key]})",
                )
                ok = False
            else:
                seen[edge.key] = entry.line
                transitions.append(edge)
    if ok and stages is not None:
        _check_reachable(read, node, path, stages, transitions)
    return tuple(transitions) if ok else None


def _check_reachable(
    read: Reader,
    node: YNode,
    path: str,
    stages: tuple[LifecycleStage, ...],
    transitions: list[Transition],
) -> None:
    reached = {LifecycleStage.LEAD}
    queue = deque([LifecycleStage.LEAD])
    while queue:
        stage = queue.popleft()
        for edge in transitions:
            if edge.source is stage and edge.target not in reached:
                reached.add(edge.target)
                queue.append(edge.target)
    unreachable = [stage.value for stage in stages if stage not in reached]
    if unreachable:
        read.error(node.line, path, f"no transitions lead from 'lead' to: {', '.join(unreachable)}")


def parse_reasons(read: Reader, node: YNode, path: str) -> Reasons | None:
    kinds = [kind.value for kind in ReasonKind]
    items = read.mapping(node, path, required=kinds)
    if items is None:
        return None
    parsed: dict[str, tuple[Reason, ...]] = {}
    for kind in kinds:
        if kind in items:
            reasons = _reason_list(read, items[kind], child(path, kind))
            if reasons is not None:
                parsed[kind] = reasons
    if len(parsed) != len(kinds):
        return None
    every = {reason.code for reasons in parsed.values() for reason in reasons}
    missing = [code for code in REQUIRED_REASON_CODES if code not in every]
    if missing:
        read.error(
            node.line, path, f"missing reason codes that revloop relies on: {', '.join(missing)}"
        )
        return None
    return Reasons(parsed["reject"], parsed["disqualify"], parsed["lost"])


def _reason_list(read: Reader, node: YNode, path: str) -> tuple[Reason, ...] | None:
    entries = read.named_entries(node, path)
    if entries is None:
        return None
    if not entries:
        read.error(node.line, path, "must list at least one reason code")
        return None
    reasons: list[Reason] = []
    for code, _line, value in entries:
        label = read.text(value, child(path, code))
        if label is not None:
            reasons.append(Reason(code, label))
    return tuple(reasons) if len(reasons) == len(entries) else None


def parse_mql(
    read: Reader,
    node: YNode,
    path: str,
    stages: tuple[LifecycleStage, ...] | None,
    transitions: tuple[Transition, ...] | None,
) -> MqlRule | None:
    thresholds = ("min_engagement", "min_fit", "min_total")
    items = read.mapping(node, path, required=("from",), optional=(*thresholds, "min_grade"))
    if items is None or "from" not in items:
        return None
    numbers = {key: read.number(items[key], child(path, key)) for key in thresholds if key in items}
    grade = (
        read.choice(items["min_grade"], child(path, "min_grade"), GRADES)
        if "min_grade" in items
        else None
    )
    sources = _automatic_sources(
        read,
        items["from"],
        child(path, "from"),
        target=LifecycleStage.MQL,
        stages=stages,
        transitions=transitions,
    )
    if not numbers and "min_grade" not in items:
        read.error(node.line, path, f"needs at least one of: {', '.join(thresholds)}, min_grade")
        return None
    if sources is None or None in numbers.values() or ("min_grade" in items and grade is None):
        return None
    return MqlRule(
        from_stages=sources,
        min_engagement=numbers.get("min_engagement"),
        min_fit=numbers.get("min_fit"),
        min_total=numbers.get("min_total"),
        min_grade=grade,
    )


def parse_recycle(
    read: Reader,
    node: YNode,
    path: str,
    stages: tuple[LifecycleStage, ...] | None,
    transitions: tuple[Transition, ...] | None,
) -> RecycleRule | None:
    items = read.mapping(node, path, required=("from", "no_touch_days"))
    if items is None or not {"from", "no_touch_days"} <= items.keys():
        return None
    days = read.number(items["no_touch_days"], child(path, "no_touch_days"), gt=0)
    sources = _automatic_sources(
        read,
        items["from"],
        child(path, "from"),
        target=LifecycleStage.RECYCLED,
        stages=stages,
        transitions=transitions,
    )
    if days is None or sources is None:
        return None
    return RecycleRule(from_stages=sources, no_touch_days=days)


def _automatic_sources(
    read: Reader,
    node: YNode,
    path: str,
    *,
    target: LifecycleStage,
    stages: tuple[LifecycleStage, ...] | None,
    transitions: tuple[Transition, ...] | None,
) -> tuple[LifecycleStage, ...] | None:
    """Stages an automatic rule moves people from; each needs an edge the rule may take."""
    items = read.items(node, path)
    if items is None:
        return None
    stage_names = tuple(s.value for s in stages) if stages else STAGE_NAMES
    sources: list[LifecycleStage] = []
    for item_path, item in items:
        name = read.choice(item, item_path, stage_names)
        if name is None:
            continue
        source = LifecycleStage(name)
        if transitions is not None and not any(
            t.source is source and t.target is target and RULE_ACTOR in t.actors
            for t in transitions
        ):
            read.error(
                item.line,
                item_path,
                f"needs a transition {source.value} -> {target.value} with 'rule' in its 'by'",
            )
            continue
        sources.append(source)
    return tuple(dict.fromkeys(sources)) if len(sources) == len(items) else None
