"""Segment-spec messages stored: touches in one batch, then identify, group and alias calls.

The messages are read by :mod:`revloop.capture.segment` and written through the capture
actions the native API uses, so identity, stitching and rescoring behave the same
whichever way the data arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from revloop.activity.stitching import stitch_anonymous_touches
from revloop.capture.actions.people import do_identify, do_upsert_people
from revloop.capture.events import pydantic_errors
from revloop.capture.schemas import IdentifyIn
from revloop.capture.segment import (
    TOUCH_CALLS,
    USER_PREFIX,
    MessageError,
    SegmentResult,
    as_email,
    call_type,
    event_mapping,
    group_domain,
    message_dict,
    message_text,
    message_time,
    person_for,
    reason_of,
    touch_row,
    trait_company,
    trait_profile,
    who,
)
from revloop.capture.touches import store_touches
from revloop.core.errors import RevloopError
from revloop.core.signals import announce_people_changed
from revloop.engine.touch_rows import TOUCH_INPUT
from revloop.people.actions import do_join_group_account, do_merge_people
from revloop.people.identity import link_anonymous_ids, people_for_anonymous_ids
from revloop.people.models import Person


def do_link_ids(groups: Sequence[Sequence[str]]) -> None:
    """Tie each group of ids together when one of them already belongs to a person.

    The first identification wins, as for the native identify: ids that belong to
    different people stay where they are.
    """
    if not groups:
        return
    owners = people_for_anonymous_ids(k for keys in groups for k in keys)
    loose: dict[str, int] = {}
    for keys in groups:
        known = {owners[k] for k in keys if k in owners}
        if len(known) == 1:
            person_id = known.pop()
            loose.update({k: person_id for k in keys if k not in owners})
    if loose:
        _link(loose)


def _link(links: Mapping[str, int]) -> None:
    """Tie anonymous ids to their people, and their earlier touches with them."""
    with transaction.atomic():
        link_anonymous_ids(links, at=timezone.now())
        stitch_anonymous_touches(links)
        announce_people_changed(Person, links.values())


def _identify(message: Mapping[str, Any]) -> None:
    person = who(message)
    traits = message_dict(message, "traits") or message_dict(message, "context", "traits")
    if person.email is None:
        do_link_ids([person.keys])
        return
    upserted = do_upsert_people(
        [{"email": person.email, **trait_profile(traits), "company": trait_company(traits)[:255]}]
    ).results[0]
    if upserted.status == "rejected":
        raise MessageError(reason_of(upserted.errors))
    for key in person.keys:
        do_identify(IdentifyIn(anonymous_id=key, email=person.email))


def _alias(message: Mapping[str, Any]) -> None:
    previous, current = message_text(message, "previousId"), message_text(message, "userId")
    if not previous or not current:
        raise MessageError("an alias call needs previousId and userId")
    old, new = person_for(previous), person_for(current)
    if old is not None and new is not None and old != new:
        do_merge_people(new, [old], by=None)
    elif old is not None or new is not None:
        # The side nobody knows yet joins the side somebody does.
        owner, loose = (old, current) if new is None else (new, previous)
        assert owner is not None
        if as_email(loose) is None:
            _link({loose: owner, f"{USER_PREFIX}{loose}": owner})


def do_link_group(message: Mapping[str, Any]) -> int | None:
    """Put the message's person in the account ``groupId`` names, created when new.

    The account is found by the group id seen before, else by domain, else by name.
    Returns the account id, or None when the person is not known yet.
    """
    group_id = message_text(message, "groupId")
    if not group_id:
        raise MessageError("groupId: a group call needs the group's id")
    person = who(message)
    person_id = next(
        (p for p in map(person_for, filter(None, [person.email, *person.keys])) if p), None
    )
    if person_id is None:
        return None
    traits = message_dict(message, "traits")
    name = str(traits.get("name") or "").strip()[:255]
    domain = group_domain(traits)[:255]
    if "\x00" in name + domain:
        raise MessageError("traits: the group's name or domain contains a NUL character")
    with transaction.atomic():
        account_id = do_join_group_account(person_id, group_id, name=name, domain=domain)
        announce_people_changed(Person, [person_id])
    return account_id


_IDENTITY_CALLS: dict[str, Callable[[Mapping[str, Any]], object]] = {
    "identify": _identify,
    "alias": _alias,
    "group": do_link_group,
}


def _apply_identity_calls(
    calls: Sequence[tuple[int, str, Mapping[str, Any]]], result: SegmentResult
) -> None:
    for index, call, message in calls:
        try:
            _IDENTITY_CALLS[call](message)
        except MessageError as exc:
            result.errors[index] = exc.reason
        except ValidationError as exc:
            result.errors[index] = reason_of(pydantic_errors(exc))
        except RevloopError as exc:
            result.errors[index] = exc.message


def do_ingest_segment(
    messages: Sequence[Any],
    *,
    received_at: datetime,
    sent_at: object = None,
    default_type: str | None = None,
    announce: bool = True,
) -> SegmentResult:
    """Store one request's messages; a bad message is reported and the rest are kept.

    Touches go in one batch first; identify, group and alias calls follow in the
    order sent, so an identify stitches the anonymous touches sent beside it.
    Without ``announce`` the people whose touches were stored are not rescored (a
    loader that scores everyone at its end).
    """
    result = SegmentResult(len(messages))
    try:
        batch_sent_at = message_time(sent_at, "sentAt")
    except MessageError:
        batch_sent_at = None
    touches: list[dict[str, Any]] = []
    seen: set[str] = set()
    linked: list[list[str]] = []
    mapping = event_mapping()
    identity: list[tuple[int, str, Mapping[str, Any]]] = []
    for index, message in enumerate(messages):
        try:
            call = call_type(message, default_type)
            person = who(message)
            if call in TOUCH_CALLS:
                touch = touch_row(
                    message,
                    call,
                    received_at,
                    batch_sent_at,
                    mapping=mapping,
                    person=person,
                    index=index,
                )
                if touch["event_id"] in seen:
                    result.duplicates += 1
                    continue
                seen.add(touch["event_id"])
                touches.append(touch)
                if len(person.keys) > 1:
                    linked.append(person.keys)
            else:
                identity.append((index, call, message))
        except MessageError as exc:
            result.errors[index] = exc.reason
    # A userId and an anonymousId seen together are one visitor: tie them before the
    # touches are written, so each touch finds its person.
    do_link_ids(linked)
    if touches:
        with transaction.atomic():
            stored = store_touches(
                pl.DataFrame(touches, schema=TOUCH_INPUT),
                now=timezone.now(),
                report_ids=True,
                announce=announce,
            )
        result.stored = len(stored.stored_ids)
        result.duplicates += len(touches) - result.stored
    _apply_identity_calls(identity, result)
    return result
