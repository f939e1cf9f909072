"""Campaign audiences: who is in a campaign, and whether in its treatment or control group.

Two ways in, both idempotent (a person already in the campaign keeps the group they
had, since moving people between groups afterwards would spoil the comparison):

- :func:`do_record_campaign_members` takes the groups as given, from an imported
  membership list; the campaign is created when it does not exist yet.
- :func:`do_add_campaign_members` is for the audiences revloop sends to itself: a
  ``holdout_fraction`` of them is kept as the control group, chosen by a hash of the
  seed, the campaign and the person, so the same person lands in the same group every
  time it is asked, whatever the order or the batches the audience comes in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone

from revloop.activity.models import (
    Campaign,
    CampaignMember,
    MemberGroup,
    MembershipSource,
    Touch,
)
from revloop.core.bounds import parse_id
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.vocabulary import Channel
from revloop.people.models import Person
from revloop.users.models import User
from revloop.users.policy import require

_HASH_SPACE = float(1 << 64)
_SLICE = 900


@dataclass(frozen=True)
class NewMember:
    """One person to put in a campaign, with the group the list gives them."""

    person_id: int
    group: str
    arm: str = ""
    added_at: datetime | None = None


@dataclass
class MembersAdded:
    campaign_id: int
    campaign_created: bool = False
    added: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    #: Already members with another group than the one given now: kept as they were.
    conflicts: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "campaign_id": self.campaign_id,
            "campaign_created": self.campaign_created,
            "added": dict(self.added),
            "unchanged": self.unchanged,
            "conflicts": list(self.conflicts),
        }


def check_can_manage_campaigns(user: User | None) -> None:
    """Marketing and admins manage audiences; the command line runs as the operator."""
    if user is not None:
        require(user, "campaign.manage")


def in_holdout(campaign_id: int, person_id: int, fraction: float, seed: str = "") -> bool:
    """Whether the person is in the campaign's control group: the first 8 bytes of a
    SHA-256 of ``seed:campaign:person``, read as a fraction of 2**64, below ``fraction``."""
    digest = hashlib.sha256(f"{seed}:{campaign_id}:{person_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _HASH_SPACE < fraction


def do_add_campaign_members(
    user: User | None,
    campaign: Campaign | int | str,
    people: Sequence[Person | int],
    *,
    holdout_fraction: float = 0.1,
    seed: str = "",
    at: datetime | None = None,
) -> MembersAdded:
    """Put people in a campaign revloop sends, keeping ``holdout_fraction`` of them out
    as the control group (module docstring)."""
    check_can_manage_campaigns(user)
    if not 0 <= holdout_fraction < 1:
        raise InvalidInputError(
            f"holdout_fraction: must be from 0 to under 1, got {holdout_fraction}"
        )
    found = _campaign(campaign)
    ids = [p.pk if isinstance(p, Person) else int(p) for p in people]
    members = [
        NewMember(
            person_id=pid,
            group=(
                MemberGroup.CONTROL
                if in_holdout(found.pk, pid, holdout_fraction, seed)
                else MemberGroup.TREATMENT
            ),
        )
        for pid in dict.fromkeys(ids)
    ]
    return _record(found, members, MembershipSource.HOLDOUT, at or timezone.now())


def do_record_campaign_members(
    user: User | None,
    campaign_name: str,
    members: Sequence[NewMember],
    *,
    channel: str = Channel.OTHER.value,
    at: datetime | None = None,
) -> MembersAdded:
    """Put people in a campaign with the groups a membership list gives them; the
    campaign is created (with ``channel``) when no campaign has that name."""
    check_can_manage_campaigns(user)
    name = campaign_name.strip()
    if not name:
        raise InvalidInputError("campaign: a name is needed")
    if len(name) > Campaign._meta.get_field("name").max_length:  # type: ignore[operator]
        raise InvalidInputError(f"campaign: {name[:40]!r}… is longer than 200 characters")
    if channel not in Channel.__members__.values():
        raise InvalidInputError(f"channel: {channel!r} is not a channel")
    for member in members:
        if member.group not in MemberGroup.values:
            raise InvalidInputError(f"group: {member.group!r} is not treatment or control")
    with transaction.atomic():
        found, created = Campaign.objects.get_or_create(name=name, defaults={"channel": channel})
        result = _record(found, members, MembershipSource.IMPORT, at or timezone.now())
    result.campaign_created = created
    return result


def _campaign(campaign: Campaign | int | str) -> Campaign:
    if isinstance(campaign, Campaign):
        return campaign
    try:
        if (pk := parse_id(campaign)) is not None:
            return Campaign.objects.get(pk=pk)
        return Campaign.objects.get(name=campaign)
    except Campaign.DoesNotExist:
        raise NotFoundError(f"no campaign {campaign!r}") from None


def _record(
    campaign: Campaign, members: Sequence[NewMember], source: str, now: datetime
) -> MembersAdded:
    result = MembersAdded(campaign_id=campaign.pk)
    with transaction.atomic():
        wanted = {m.person_id: m for m in members}
        known: set[int] = set()
        existing: dict[int, str] = {}
        ids = list(wanted)
        # In slices: SQLite caps the parameters of one statement.
        for start in range(0, len(ids), _SLICE):
            part = ids[start : start + _SLICE]
            known.update(Person.objects.filter(pk__in=part).values_list("pk", flat=True))
            existing.update(
                CampaignMember.objects.select_for_update()
                .filter(campaign=campaign, person_id__in=part)
                .values_list("person_id", "group")
            )
        missing = sorted(set(wanted) - known)
        if missing:
            raise NotFoundError(f"no person with id {missing[0]}")
        new = []
        for pid, member in wanted.items():
            if pid in existing:
                result.unchanged += 1
                if existing[pid] != member.group:
                    result.conflicts.append(
                        {"person_id": pid, "kept": existing[pid], "given": member.group}
                    )
                continue
            new.append(
                CampaignMember(
                    campaign=campaign,
                    person_id=pid,
                    group=member.group,
                    arm=member.arm[:100],
                    added_at=member.added_at or now,
                    source=source,
                )
            )
            group = str(member.group)
            result.added[group] = result.added.get(group, 0) + 1
        CampaignMember.objects.bulk_create(new, batch_size=1000)
    return result


def do_scrub_touches(person_id: int) -> int:
    """Remove what identifies a person from their touches; the touches themselves stay.

    What a report counts is kept (type, channel, time, campaign, content, UTM tags and
    the page's path); the browser id, the client's event id (which may embed one), the
    query string and fragment of the URL, and free-form properties go. Returns how many
    touches were scrubbed.
    """
    touches = list(
        Touch.objects.filter(person_id=person_id).values_list("pk", "url").order_by("pk")
    )
    for pk, url in touches:
        parts = urlsplit(url)
        Touch.objects.filter(pk=pk).update(
            event_id=f"erased:{pk}",
            anonymous_id="",
            url=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
            properties={},
        )
    return len(touches)
