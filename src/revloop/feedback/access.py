"""Who may act on a lead and who may read its brief: the one permission-checked fetch.

A sales rep works the leads they own; a sales manager the leads of their team (the
users whose ``manager`` they are) and their own; an admin every lead. Marketing and
viewers read briefs but act on none; an account without a role sees nothing.
"""

from __future__ import annotations

from revloop.core.errors import ForbiddenError, NotFoundError
from revloop.engine.vocabulary import Role
from revloop.lifecycle.actions import check_can_read
from revloop.people.access import access_person_id, may_act_on
from revloop.people.models import Person
from revloop.users.models import User

SALES_ROLES = (Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN)


def access_lead_for_action(user: User | None, reference: str | int | Person) -> Person:
    """The person ``user`` is about to act on, or :class:`ForbiddenError` saying why not."""
    if user is None or not user.has_role(*SALES_ROLES):
        raise ForbiddenError("working leads needs the sales_rep, sales_manager or admin role")
    pk = reference.pk if isinstance(reference, Person) else access_person_id(reference)
    person = Person.objects.select_related("owner", "account").filter(pk=pk).first()
    if person is None:
        raise NotFoundError(f"no person with id {pk}")
    if not may_act_on(user, person.owner_id):
        owner = person.owner.username if person.owner else "nobody"
        whose = "and their team's " if Role.SALES_MANAGER.value in user.roles else ""
        raise ForbiddenError(
            f"{person.email} is owned by {owner}; {user.username} may act only on"
            f" their own {whose}leads"
        )
    return person


def access_lead_for_reading(user: User | None, reference: str | int) -> int:
    """The id of a person whose brief ``user`` may read (any revloop role may)."""
    check_can_read(user)
    return access_person_id(reference)
