"""The one way to name a person a request is about: an id or an email.

Whether a user may read or work that person is the access policy's
(:mod:`revloop.users.policy`); this only finds them.
"""

from __future__ import annotations

from revloop.core.bounds import parse_id
from revloop.core.errors import NotFoundError
from revloop.people.models import Person


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
