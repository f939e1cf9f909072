"""People as the API gives them: a profile's known values, applied without erasing.

:mod:`revloop.capture.actions.people` upserts them and identifies anonymous visitors.
"""

from __future__ import annotations

from revloop.capture.schemas import (
    Profile,
)
from revloop.core.values import fill_known
from revloop.people.identity import (
    PROFILE_FIELDS,
)
from revloop.people.models import Person


def profile_of(item: Profile) -> dict[str, str]:
    """The profile values an item gives (an empty one is not given)."""
    return {name: value for name in PROFILE_FIELDS if (value := getattr(item, name))}


def fill_person(person: Person, profile: dict[str, str], consent: str | None) -> bool:
    """Apply the given values; empty ones never erase what is known."""
    return bool(fill_known(person, {**profile, "consent": consent}))
