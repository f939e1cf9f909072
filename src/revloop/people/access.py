"""The one permission-checked way to fetch people, to change who they are, and to work them.

A sales rep works the leads they own; a sales manager the leads of their team (the
users whose ``manager`` they are) and their own; an admin every lead. Routing gives
every MQL an owner, so an unassigned lead is an admin's to hand out.
"""

from __future__ import annotations

from collections.abc import Callable

from revloop.core.bounds import parse_id
from revloop.core.errors import ForbiddenError, NotFoundError
from revloop.engine.vocabulary import Role
from revloop.people.models import Person
from revloop.users.models import User

#: Who keeps the people data clean: merges are theirs.
DATA_STEWARDS = (Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER)


def check_can_merge(user: User | None) -> None:
    if user is not None and not user.has_role(*DATA_STEWARDS):
        raise ForbiddenError("merging people needs the admin, marketing or sales_manager role")


def access_person_id(reference: str | int) -> int:
    """A person's id from an id or an email (any letter case)."""
    text = str(reference).strip()
    if (pk := parse_id(text)) is not None:
        if Person.objects.filter(pk=pk).exists():
            return pk
        raise NotFoundError(f"no person with id {text}")
    found = Person.objects.filter(email__iexact=text).values_list("id", flat=True).first()
    if found is None:
        raise NotFoundError(f"no person with email {text!r}")
    return found


def is_admin(user: User) -> bool:
    return user.is_superuser or Role.ADMIN.value in user.roles


def team_ids(manager: User) -> set[int]:
    """The manager and the users who report to them."""
    return {manager.pk, *User.objects.filter(manager=manager).values_list("pk", flat=True)}


def acting_scope(user: User) -> Callable[[int | None], bool]:
    """Whether ``user`` may work a lead owned by a given user id (None: unassigned).

    The roles and the team are read once, so a page of many leads asks only once.
    """
    roles = user.roles
    if not user.is_active:
        return lambda owner_id: False
    if user.is_superuser or Role.ADMIN.value in roles:
        return lambda owner_id: True
    if Role.SALES_MANAGER.value in roles:
        team = team_ids(user)
        return lambda owner_id: owner_id is not None and owner_id in team
    if Role.SALES_REP.value in roles:
        return lambda owner_id: owner_id == user.pk
    return lambda owner_id: False


def may_act_on(user: User, owner_id: int | None) -> bool:
    """May ``user`` work a lead owned by ``owner_id`` (None: unassigned)?"""
    return acting_scope(user)(owner_id)
