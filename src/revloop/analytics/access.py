"""Who may read the closed-loop reports: every revloop role, no one without one."""

from __future__ import annotations

from revloop.core.errors import ForbiddenError
from revloop.users.models import User


def check_can_read_reports(user: User | None) -> None:
    if user is None or not (user.is_superuser or user.groups.exists()):
        raise ForbiddenError("reading the marketing reports needs a revloop role")
