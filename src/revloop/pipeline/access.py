"""Who may read the pipeline checks and the forecast: every revloop role (reps see the
flags on their own deals and everyone else's, as managers do), no one without one."""

from __future__ import annotations

from revloop.core.errors import ForbiddenError
from revloop.users.models import User


def check_can_read_pipeline(user: User | None) -> None:
    if user is None or not (user.is_superuser or user.groups.exists()):
        raise ForbiddenError("reading the pipeline checks needs a revloop role")
