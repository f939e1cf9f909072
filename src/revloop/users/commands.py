"""Who a command acts as: the user of the API token in ``REVLOOP_TOKEN``, or revloop itself.

A command never takes a name on the command line to act as: anyone could type one.
A change made as a person (a signature, a stage move, a dismissal, an absence) needs
that person's full-access token in ``REVLOOP_TOKEN``, and the access policy decides
what it may do. Without the variable, a command that may run unattended (a proposal
or a goal from a script, the demo) acts as revloop itself, the operator's own run:
whoever can run commands on the server holds the database's keys anyway, as with
Django's ``createsuperuser``, and the record says "revloop", not a person.
"""

from __future__ import annotations

import os

from django.core.management.base import CommandError

from revloop.users.auth import access_token
from revloop.users.models import TokenScope, User

#: The environment variable holding the acting user's token.
TOKEN_VARIABLE = "REVLOOP_TOKEN"  # noqa: S105 - the variable's name, not a secret


def acting_user(doing: str, *, required: bool = False) -> User | None:
    """The user ``REVLOOP_TOKEN`` acts as; None (revloop itself) when it is unset and
    ``doing`` may be done by revloop itself. A token that is set but not live stops the
    command, so a typo never records a change as made by the system."""
    raw = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not raw:
        if required:
            raise CommandError(
                f"{doing} is done by a person: set {TOKEN_VARIABLE} to their full-access"
                " token (revloop token create USERNAME NAME)"
            )
        return None
    token = access_token(raw)
    if token is None or token.scope != TokenScope.FULL:
        raise CommandError(f"{TOKEN_VARIABLE} is not a live full-access token")
    return token.user
