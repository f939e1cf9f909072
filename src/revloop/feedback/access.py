"""The permission-checked fetch of a lead: the person a user is about to work or read.

Who may is the access policy's (``lead.work``: a rep their own leads, a manager their
team's, an admin everyone's; ``people.read``: every role).
"""

from __future__ import annotations

from revloop.core.errors import NotFoundError
from revloop.people.access import access_person_id
from revloop.people.models import Person
from revloop.users.models import User
from revloop.users.policy import require


def access_lead_for_action(user: User | None, reference: str | int | Person) -> Person:
    """The person ``user`` is about to act on, or :class:`ForbiddenError` saying why not."""
    require(user, "lead.work")
    pk = reference.pk if isinstance(reference, Person) else access_person_id(reference)
    person = Person.objects.select_related("owner", "account").filter(pk=pk).first()
    if person is None:
        raise NotFoundError(f"no person with id {pk}")
    owner = person.owner.username if person.owner else "nobody"
    require(user, "lead.work", person, what=f"{person.email}, owned by {owner}")
    return person


def access_lead_for_reading(user: User | None, reference: str | int) -> int:
    """The id of a person whose brief ``user`` may read (any revloop role may)."""
    require(user, "people.read")
    return access_person_id(reference)
