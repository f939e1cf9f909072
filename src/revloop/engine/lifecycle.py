"""Stage machine rules: which moves the contract allows, to whom, and which happen by themselves.

Pure decisions over the contract; the Django side writes the append-only
StageTransition records. Manual moves go through :func:`check_transition`, which
says yes or says exactly why not. Automatic moves come from scoring results:

1. disqualify, when a negative rule disqualifies and the contract lets the ``rule``
   actor move the person's current stage to Disqualified;
2. recycle, when the person sits in one of ``recycle.from`` with no touch for
   ``recycle.no_touch_days`` (counted from the later of the last touch and the
   moment they entered the stage, so a fresh MQL is never recycled at once);
3. MQL promotion, when the MQL rule holds and the stage is in ``mql.from``. A
   recycled person needs a touch after being recycled, so that a lead who qualifies
   on fit alone does not bounce between Recycled and MQL.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from revloop.engine.contract.schema import (
    RULE_ACTOR,
    Contract,
    Transition,
)
from revloop.engine.scoring.decay import MICROS_PER_DAY
from revloop.engine.scoring.inputs import NO_TIME, PersonIndex, utc_micros
from revloop.engine.scoring.result import ScoreResult, to_micros
from revloop.engine.vocabulary import LifecycleStage, Role

STAGES: tuple[LifecycleStage, ...] = tuple(LifecycleStage)
NO_STAGE = -1

MQL_RULE = "mql"
RECYCLE_RULE = "recycle"
NEGATIVE_RULE_PREFIX = "negative:"


@dataclass(frozen=True)
class Mover:
    """Who asks for a move: revloop's own rule, or a user with roles."""

    roles: frozenset[Role] = frozenset()
    is_rule: bool = False

    @classmethod
    def rule(cls) -> Mover:
        return cls(is_rule=True)

    @classmethod
    def user(cls, *roles: Role | str) -> Mover:
        return cls(roles=frozenset(Role(role) for role in roles))

    def describe(self) -> str:
        if self.is_rule:
            return "the automatic rule"
        if not self.roles:
            return "a user with no role"
        return "a user with roles " + ", ".join(sorted(role.value for role in self.roles))


@dataclass(frozen=True)
class Decision:
    """Allowed or refused, with a message that says why (shown to the user as is)."""

    allowed: bool
    message: str
    transition: Transition | None = None
    actor: str | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _stage(contract: Contract, value: LifecycleStage | str) -> tuple[LifecycleStage | None, str]:
    """The stage, or ``None`` and the message saying why this contract does not know it."""
    try:
        stage = LifecycleStage(value)
    except ValueError:
        return None, f"unknown stage {value!r}"
    if stage not in contract.stages:
        return None, f"this contract does not use the stage {stage.label}"
    return stage, ""


def permitted_actor(contract: Contract, edge: Transition, mover: Mover) -> str | None:
    """The contract actor under which ``mover`` may take ``edge``, if any."""
    if mover.is_rule:
        return RULE_ACTOR if RULE_ACTOR in edge.actors else None
    for name in edge.actors:
        actor = contract.actor(name)
        if actor is not None and mover.roles & set(actor.roles):
            return name
    return None


def check_transition(
    contract: Contract,
    current: LifecycleStage | str,
    target: LifecycleStage | str,
    mover: Mover,
    *,
    reason_code: str | None = None,
) -> Decision:
    """May ``mover`` move a person from ``current`` to ``target`` (with this reason)?"""
    source, problem = _stage(contract, current)
    goal, goal_problem = _stage(contract, target)
    if source is None or goal is None:
        return Decision(False, problem or goal_problem)
    move = f"{source.label} → {goal.label}"
    edge = contract.transition(source, goal)
    if edge is None:
        return Decision(False, _no_edge(contract, source, goal, move))
    actor = permitted_actor(contract, edge, mover)
    if actor is None:
        return Decision(False, _who_may(contract, edge, move, mover), edge)
    problem = _reason_problem(contract, edge, move, mover, reason_code)
    if problem:
        return Decision(False, problem, edge, actor)
    return Decision(True, f"{move} allowed for {actor}", edge, actor)


def _no_edge(contract: Contract, source: LifecycleStage, goal: LifecycleStage, move: str) -> str:
    if source is goal:
        return f"the person is already in {source.label}"
    onward = [t.target.label for t in contract.transitions if t.source is source]
    allowed = ", ".join(onward) if onward else "nothing (it is a final stage)"
    return f"{move} is not an allowed move; from {source.label} the contract allows: {allowed}"


def _who_may(contract: Contract, edge: Transition, move: str, mover: Mover) -> str:
    people = [name for name in edge.actors if name != RULE_ACTOR]
    described = []
    for name in people:
        actor = contract.actor(name)
        roles = ", ".join(role.value for role in actor.roles) if actor else ""
        described.append(f"{name} ({roles})")
    if mover.is_rule:
        return f"{move} is never made automatically; it needs a person: {', '.join(described)}"
    if not described:
        return f"{move} is made only by the automatic rule, not by hand"
    return f"{move} may be made only by {' or '.join(described)}; you are {mover.describe()}"


def _reason_problem(
    contract: Contract, edge: Transition, move: str, mover: Mover, reason_code: str | None
) -> str:
    if edge.reason is None:
        return f"{move} takes no reason code (got {reason_code!r})" if reason_code else ""
    codes = contract.reasons.codes(edge.reason)
    listed = ", ".join(codes)
    if reason_code is None:
        # Automatic moves record their rule; people must say why.
        return "" if mover.is_rule else f"{move} needs a {edge.reason.value} reason: {listed}"
    if reason_code not in codes:
        return f"{reason_code!r} is not a {edge.reason.value} reason; use one of: {listed}"
    return ""


def allowed_moves(
    contract: Contract, current: LifecycleStage | str, mover: Mover
) -> tuple[Transition, ...]:
    """The moves ``mover`` may make from ``current`` (for the buttons on a person's page)."""
    source, _ = _stage(contract, current)
    if source is None:
        return ()
    return tuple(
        edge
        for edge in contract.transitions
        if edge.source is source and permitted_actor(contract, edge, mover) is not None
    )


@dataclass(frozen=True)
class AutoTransition:
    """An automatic move: where to, which rule (``StageTransition.by_rule``), which reason."""

    target: LifecycleStage
    rule: str
    reason_code: str | None = None


def automatic_transition(
    contract: Contract,
    stage: LifecycleStage | str,
    *,
    mql_eligible: bool,
    disqualify_rule: str | None,
    last_touch_at: dt.datetime | None,
    stage_changed_at: dt.datetime,
    now: dt.datetime,
) -> AutoTransition | None:
    """The automatic move for one person, if any (same rules as the vectorized form).

    ``disqualify_rule`` is the id of the negative rule that disqualifies them.
    """
    negative_ids = [rule.id for rule in contract.scoring.negative]
    code = STAGES.index(LifecycleStage(stage))
    targets, rules = _automatic(
        contract,
        stage=np.array([code], dtype=np.int8),
        eligible=np.array([mql_eligible]),
        disqualify=np.array(
            [negative_ids.index(disqualify_rule) if disqualify_rule is not None else -1],
            dtype=np.int16,
        ),
        last_touch=np.array([to_micros(last_touch_at) if last_touch_at else NO_TIME]),
        changed=np.array([to_micros(stage_changed_at)]),
        now_us=to_micros(now),
    )
    if targets[0] == NO_STAGE:
        return None
    return _auto(contract, int(targets[0]), int(rules[0]))


def automatic_transitions(
    contract: Contract, result: ScoreResult, stages: pl.DataFrame
) -> pl.DataFrame:
    """Automatic moves for a whole population at ``result.now``.

    ``stages`` has ``person_id``, ``stage`` and ``stage_changed_at`` (timezone-aware).
    Returns one row per person to move: ``person_id``, ``from_stage``, ``to_stage``,
    ``rule`` and ``reason_code``. People missing from ``result`` do not move.
    """
    ids = stages["person_id"].cast(pl.Int64).to_numpy()
    rows = PersonIndex(result.person_id).rows(ids)
    scored = rows >= 0
    stage_names = stages["stage"].cast(pl.String)
    unknown = stage_names.filter(~stage_names.is_in([s.value for s in STAGES])).unique()
    if len(unknown):
        raise ValueError(f"stages.stage: unknown stage {unknown[0]!r}")
    codes = stage_names.replace_strict(
        [s.value for s in STAGES], list(range(len(STAGES))), return_dtype=pl.Int8
    ).to_numpy()
    take = np.where(scored, rows, 0)
    targets, rules = _automatic(
        contract,
        stage=codes,
        eligible=result.mql_eligible[take] & scored,
        disqualify=np.where(scored, result.disqualify_rule[take], -1).astype(np.int16),
        last_touch=np.where(scored, result.last_touch_us[take], NO_TIME),
        changed=utc_micros(stages["stage_changed_at"], "stages.stage_changed_at"),
        now_us=to_micros(result.now),
    )
    moving = np.flatnonzero(targets != NO_STAGE)
    negative = contract.scoring.negative
    rule_codes = pl.Series(rules[moving])
    stage_values = [s.value for s in STAGES]
    return pl.DataFrame(
        {
            "person_id": ids[moving],
            "from_stage": pl.Series(codes[moving]).replace_strict(
                list(range(len(STAGES))), stage_values, return_dtype=pl.String
            ),
            "to_stage": pl.Series(targets[moving]).replace_strict(
                list(range(len(STAGES))), stage_values, return_dtype=pl.String
            ),
            "rule": rule_codes.replace_strict(
                [_MQL, _RECYCLE, *range(len(negative))],
                [MQL_RULE, RECYCLE_RULE, *(NEGATIVE_RULE_PREFIX + r.id for r in negative)],
                return_dtype=pl.String,
            ),
            "reason_code": rule_codes.replace_strict(
                list(range(len(negative))),
                [r.reason for r in negative],
                default=None,
                return_dtype=pl.String,
            ),
        },
        schema={
            "person_id": pl.Int64,
            "from_stage": pl.String,
            "to_stage": pl.String,
            "rule": pl.String,
            "reason_code": pl.String,
        },
    )


# Rule codes in the vectorized core: >= 0 is a negative rule's index.
_MQL = -1
_RECYCLE = -2


def _auto(contract: Contract, target: int, rule: int) -> AutoTransition:
    if rule == _MQL:
        return AutoTransition(STAGES[target], MQL_RULE)
    if rule == _RECYCLE:
        return AutoTransition(STAGES[target], RECYCLE_RULE)
    negative = contract.scoring.negative[rule]
    return AutoTransition(STAGES[target], NEGATIVE_RULE_PREFIX + negative.id, negative.reason)


def _automatic(
    contract: Contract,
    *,
    stage: NDArray[np.int8],
    eligible: NDArray[np.bool_],
    disqualify: NDArray[np.int16],
    last_touch: NDArray[np.int64],
    changed: NDArray[np.int64],
    now_us: int,
) -> tuple[NDArray[np.int8], NDArray[np.int16]]:
    """Target stage code (or NO_STAGE) and rule code per person, first rule wins."""
    target = np.full(stage.shape, NO_STAGE, dtype=np.int8)
    rule = np.zeros(stage.shape, dtype=np.int16)

    def apply(mask: NDArray[np.bool_], to: LifecycleStage, code: NDArray[np.int16] | int) -> None:
        free = mask & (target == NO_STAGE)
        target[free] = STAGES.index(to)
        rule[free] = code[free] if isinstance(code, np.ndarray) else code

    by_rule = np.array(
        [
            (edge := contract.transition(s, LifecycleStage.DISQUALIFIED)) is not None
            and RULE_ACTOR in edge.actors
            for s in STAGES
        ]
    )
    apply((disqualify >= 0) & by_rule[stage], LifecycleStage.DISQUALIFIED, disqualify)

    recycle = contract.recycle
    quiet_since = np.maximum(last_touch, changed)
    quiet_days = (now_us - quiet_since) / MICROS_PER_DAY
    apply(
        _in(stage, recycle.from_stages) & (quiet_days >= recycle.no_touch_days),
        LifecycleStage.RECYCLED,
        _RECYCLE,
    )

    recycled = stage == STAGES.index(LifecycleStage.RECYCLED)
    touched_since = last_touch > changed
    apply(
        _in(stage, contract.mql.from_stages) & eligible & (~recycled | touched_since),
        LifecycleStage.MQL,
        _MQL,
    )
    return target, rule


def _in(stage: NDArray[np.int8], stages: tuple[LifecycleStage, ...]) -> NDArray[np.bool_]:
    return np.isin(stage, [STAGES.index(s) for s in stages])


def conversion_path(
    contract: Contract, stage: LifecycleStage, mover: Mover
) -> list[LifecycleStage]:
    """The stages to step through from ``stage`` to Opportunity (only via SQL), or [].

    Only moves that need no reason and that ``mover`` may make count: the path a rep's
    "convert" button takes, one stage at a time, breadth first (the shortest).
    """
    allowed = {LifecycleStage.SQL, LifecycleStage.OPPORTUNITY}
    queue: deque[tuple[LifecycleStage, list[LifecycleStage]]] = deque([(stage, [])])
    seen = {stage}
    while queue:
        here, path = queue.popleft()
        for edge in contract.transitions:
            if edge.source is not here or edge.target not in allowed or edge.target in seen:
                continue
            if edge.reason is not None or permitted_actor(contract, edge, mover) is None:
                continue
            if edge.target is LifecycleStage.OPPORTUNITY:
                return [*path, edge.target]
            seen.add(edge.target)
            queue.append((edge.target, [*path, edge.target]))
    return []
