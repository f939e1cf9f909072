"""Field insights: the questions and objections reps hear, grouped into topics."""

from revloop.engine.insights.topics import (
    DEFAULT_ANSWER_SIMILARITY,
    DEFAULT_DISTANCE,
    Asset,
    Deal,
    Said,
    Topic,
    field_insights,
    group_texts,
    words,
)

__all__ = [
    "DEFAULT_ANSWER_SIMILARITY",
    "DEFAULT_DISTANCE",
    "Asset",
    "Deal",
    "Said",
    "Topic",
    "field_insights",
    "group_texts",
    "words",
]
