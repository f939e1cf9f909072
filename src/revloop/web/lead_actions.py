"""The inbox's actions on one lead, for the pages that show a single lead (person, brief)."""

from __future__ import annotations

from typing import Any

from revloop.core.errors import ForbiddenError
from revloop.feedback.inbox import rep_inbox
from revloop.feedback.leads import reassign_targets
from revloop.users.models import User


def lead_actions(user: User, person_id: int) -> dict[str, Any]:
    """What ``user`` may do to this lead, as the inbox row would offer it; {} for nothing.

    The lead must be one the user works (their own, their team's, any for an admin) and
    in a working stage; the forms post to the inbox's actions and come back here.
    """
    try:
        page = rep_inbox(user, only=[person_id])
    except ForbiddenError:
        return {}
    row = page.rows[0] if page.rows else None
    if row is None or not row.may_act:
        return {}
    return {"actions_row": row, "actions_inbox": page, "targets": reassign_targets(user)}
