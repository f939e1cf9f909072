"""The one permission-checked way to fetch people and to change who they are."""

from __future__ import annotations

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
    if text.isdigit():
        if Person.objects.filter(pk=int(text)).exists():
            return int(text)
        raise NotFoundError(f"no person with id {text}")
    found = Person.objects.filter(email__iexact=text).values_list("id", flat=True).first()
    if found is None:
        raise NotFoundError(f"no person with email {text!r}")
    return found
