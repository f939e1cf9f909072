"""Rule scoring: fit, grade, decayed engagement, MQL eligibility, and why, for everyone at once."""

from revloop.engine.scoring.decay import decay_factor, decayed_points
from revloop.engine.scoring.explain import Explanation, MqlCheck, RuleLine, Section, explain
from revloop.engine.scoring.incremental import rescore_changed
from revloop.engine.scoring.inputs import (
    TOUCH_SCHEMA,
    ScoringInputError,
    people_columns,
    touch_columns,
)
from revloop.engine.scoring.replay import first_mql_moments
from revloop.engine.scoring.result import ScoreResult, merge_results
from revloop.engine.scoring.rules import score_people

__all__ = [
    "TOUCH_SCHEMA",
    "Explanation",
    "MqlCheck",
    "RuleLine",
    "ScoreResult",
    "ScoringInputError",
    "Section",
    "decay_factor",
    "decayed_points",
    "explain",
    "first_mql_moments",
    "merge_results",
    "people_columns",
    "rescore_changed",
    "score_people",
    "touch_columns",
]
