"""What commands share about users: the ``--as USER`` a command acts as."""

from __future__ import annotations

from django.core.management.base import CommandError

from revloop.users.models import User


def acting_user(username: str | None) -> User | None:
    """The user ``--as USERNAME`` names, None when it was not given.

    A name that matches no one stops the command rather than acting as nobody, so a
    typo never records a change as made by the system.
    """
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--as: no user named {username!r}")
    return user
