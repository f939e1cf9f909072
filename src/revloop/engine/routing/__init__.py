"""Lead routing: who gets each new MQL, by which rule, and who was passed over.

See ``router`` for the rules' semantics (owner first, segments, weighted round robin
with capacity, absences, working hours and a stable tie-break).
"""

from revloop.engine.routing.facts import (
    ABSENT,
    AT_CAPACITY,
    INACTIVE,
    NOT_A_MEMBER,
    OUTSIDE_HOURS,
    SKIP_REASONS,
    UNKNOWN_USER,
    Absence,
    Decision,
    LeadFacts,
    RepState,
    Skip,
)
from revloop.engine.routing.fairness import max_relative_deviation, weighted_shares
from revloop.engine.routing.router import Router, draw
from revloop.engine.routing.segments import compile_segment

__all__ = [
    "ABSENT",
    "AT_CAPACITY",
    "INACTIVE",
    "NOT_A_MEMBER",
    "OUTSIDE_HOURS",
    "SKIP_REASONS",
    "UNKNOWN_USER",
    "Absence",
    "Decision",
    "LeadFacts",
    "RepState",
    "Router",
    "Skip",
    "compile_segment",
    "draw",
    "max_relative_deviation",
    "weighted_shares",
]
