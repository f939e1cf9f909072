"""What a rep needs before the first call: similar won deals, questions asked, inbox order."""

from revloop.engine.handoff.priority import InboxSignals, inbox_order, priority_scores
from revloop.engine.handoff.questions import AskedQuestion, asked_questions
from revloop.engine.handoff.similar import (
    AccountTable,
    Firmographics,
    firmographic_distance,
    nearest_accounts,
)

__all__ = [
    "AccountTable",
    "AskedQuestion",
    "Firmographics",
    "InboxSignals",
    "asked_questions",
    "firmographic_distance",
    "inbox_order",
    "nearest_accounts",
    "priority_scores",
]
