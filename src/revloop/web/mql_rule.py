"""What the pages say about the MQL rule: whether it holds today, and for someone who is
(or was) an MQL while it does not, how they became one.

The rule is checked against today's score, and engagement decays; a person who crossed
the threshold months ago, was moved by hand, or came with an imported history is an
MQL whose rule no longer holds. Saying only "does not hold" beside the stage MQL reads
as a contradiction, so the reason is given with the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revloop.engine.vocabulary import LifecycleStage
from revloop.lifecycle.models import StageTransition

#: Stages a person reaches only through MQL (recycled and disqualified people may not).
_PAST_MQL = frozenset(
    {
        LifecycleStage.MQL,
        LifecycleStage.SAL,
        LifecycleStage.SQL,
        LifecycleStage.OPPORTUNITY,
        LifecycleStage.CUSTOMER,
    }
)


@dataclass(frozen=True)
class MqlRule:
    holds: bool
    #: "holds", "does not hold", or "does not hold today"
    verdict: str
    #: Why, in a sentence ("" when the rule holds).
    reason: str


def _failing(score: dict[str, Any]) -> str:
    if score.get("disqualify_reason"):
        return f"disqualified: {score['disqualify_reason']}"
    parts = [
        f"{c['name']} {c['value']} < {c['threshold']}"
        for c in score.get("checks", [])
        if not c["passed"]
    ]
    return "; ".join(parts)


def _how_they_became_mql(step: StageTransition) -> str:
    day = step.at.date().isoformat()
    if step.by_user_id is not None:
        who = step.by_user.get_full_name() or step.by_user.username  # type: ignore[union-attr]
        return f"{who} moved them to MQL by hand on {day}"
    if step.contract_version_id is None:
        rule = f" (rule {step.by_rule!r})" if step.by_rule else ""
        return (
            f"they became an MQL on {day} in history recorded before this contract "
            f"scored them{rule}"
        )
    number = step.contract_version.number  # type: ignore[union-attr]
    return (
        f"the rule held when they became an MQL on {day} under contract v{number}; "
        "engagement has decayed since"
    )


def mql_rule(person_id: int, stage: str, score: dict[str, Any]) -> MqlRule:
    if score["mql_eligible"]:
        return MqlRule(holds=True, verdict="holds", reason="")
    failing = _failing(score)
    # A person's own steps (a handful) along their index, the stage picked here: asked
    # for MQL steps, SQLite walks every MQL step of the company from the newest back
    # (0.6 s at a million people).
    step = next(
        (
            t
            for t in StageTransition.objects.filter(person_id=person_id)
            .select_related("by_user", "contract_version")
            .order_by("-at", "-id")
            if t.to_stage == LifecycleStage.MQL
        ),
        None,
    )
    if step is None:
        if stage in _PAST_MQL:
            return MqlRule(
                holds=False,
                verdict="does not hold today",
                reason=f"{failing}; their stage was set without a recorded MQL step",
            )
        return MqlRule(holds=False, verdict="does not hold", reason=failing)
    return MqlRule(
        holds=False,
        verdict="does not hold today",
        reason=f"{failing}; {_how_they_became_mql(step)}",
    )
