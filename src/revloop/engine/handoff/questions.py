"""The questions a lead typed into forms and chats before anyone from Sales spoke to them.

Website forms keep fields revloop has no column for in the touch's ``properties``;
the free-text ones (:data:`QUESTION_FIELDS`, matched ignoring case, spaces and dashes)
are what the person asked in their own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

QUESTION_FIELDS = frozenset(
    {
        "question",
        "questions",
        "message",
        "comments",
        "comment",
        "how_can_we_help",
        "inquiry",
        "enquiry",
        "what_would_you_like_to_discuss",
    }
)
MAX_LENGTH = 2000


@dataclass(frozen=True)
class AskedQuestion:
    at: datetime
    field: str
    text: str
    touch_type: str


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def asked_questions(
    touches: Iterable[tuple[datetime, str, Mapping[str, object]]],
) -> list[AskedQuestion]:
    """Every question field of ``(occurred_at, type, properties)`` touches, newest first.

    The same text asked twice (a form resubmitted) is listed once, at its latest moment.
    """
    latest: dict[str, AskedQuestion] = {}
    for at, kind, properties in touches:
        for name, value in properties.items():
            if _key(name) not in QUESTION_FIELDS or not isinstance(value, str):
                continue
            text = " ".join(value.split())[:MAX_LENGTH]
            if not text:
                continue
            seen = latest.get(text.lower())
            if seen is None or at > seen.at:
                latest[text.lower()] = AskedQuestion(at=at, field=name, text=text, touch_type=kind)
    return sorted(latest.values(), key=lambda q: q.at, reverse=True)
