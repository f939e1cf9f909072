"""Segment-spec messages (Segment's and RudderStack's libraries) as touches and identities.

Each message is translated into revloop's own shapes and written through the capture
paths the native API uses (:mod:`revloop.capture.actions.segment` writes them): touches
through :func:`~revloop.capture.touches.store_touches` (``messageId`` is the event id, so
a message sent twice is stored once; each touch is held to the native events' bounds),
people through ``do_upsert_people`` and ``do_identify``, merges through
``do_merge_people``. Identity, stitching and rescoring therefore behave the same
whichever way the data arrives.

A non-email ``userId`` is kept as the anonymous id ``user:<userId>``: once any call ties
it to an email, later calls that carry only the ``userId`` find the same person.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from django.conf import settings

from revloop.core.bounds import check_json, check_year
from revloop.core.errors import InvalidInputError
from revloop.engine.identity.email import InvalidEmail, normalize_email
from revloop.engine.vocabulary import Channel, TouchType
from revloop.engine.web_channel import visit_channel
from revloop.people.identity import people_for_anonymous_ids
from revloop.people.models import Person

#: The call types the libraries send; ``screen`` is a mobile page view.
CALL_TYPES = ("track", "page", "screen", "identify", "group", "alias")
TOUCH_CALLS = {"track", "page", "screen"}
USER_PREFIX = "user:"
MAPPING_FILE = "segment_events.yaml"
_DEFAULT_MAPPING = Path(__file__).with_name(MAPPING_FILE)
_UTM_KEYS = {"name": "utm_campaign", "source": "utm_source", "medium": "utm_medium"}
_UTM_KEYS |= {"term": "utm_term", "content": "utm_content"}


class MessageError(Exception):
    """Why one message cannot be stored; the rest of its batch still is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EventRule:
    type: TouchType
    channel: Channel | None = None


@dataclass(frozen=True)
class EventMapping:
    rules: Mapping[str, EventRule]
    source: Path

    def rule_for(self, name: str) -> EventRule:
        return self.rules.get(name.strip().casefold(), EventRule(TouchType.EVENT))


def _parse_mapping(path: Path) -> EventMapping:
    return parse_mapping(path.read_text(), path)


def parse_mapping(text: str, path: Path) -> EventMapping:
    """The mapping a YAML text states; ValueError names the line or event that is wrong."""
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    entries = document.get("events") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise ValueError(f"{path}: expected an `events:` mapping of event name → touch type")
    rules = {}
    for name, given in entries.items():
        spec = {"type": given} if isinstance(given, str) else given
        try:
            rule = EventRule(
                TouchType(spec["type"]), Channel(spec["channel"]) if spec.get("channel") else None
            )
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"{path}: event {name!r} needs a `type` among {', '.join(TouchType)} "
                f"and an optional `channel` among {', '.join(Channel)}"
            ) from None
        rules[str(name).strip().casefold()] = rule
    return EventMapping(rules, path)


@cache
def _mapping_at(path: Path, mtime: float) -> EventMapping:
    return _parse_mapping(path)


def event_mapping() -> EventMapping:
    """The mapping in $REVLOOP_HOME/segment_events.yaml, else the shipped defaults."""
    custom = Path(settings.REVLOOP_HOME) / MAPPING_FILE
    path = custom if custom.is_file() else _DEFAULT_MAPPING
    return _mapping_at(path, path.stat().st_mtime)


def message_time(value: object, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise MessageError(f"{name}: expected an ISO-8601 time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MessageError(f"{name}: {value!r} is not an ISO-8601 time") from None
    # The libraries always send an offset; a bare time is read as UTC, as Segment does.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def event_time(
    message: Mapping[str, Any], received_at: datetime, sent_at: datetime | None
) -> datetime:
    """When the message happened, corrected for the sender's clock as Segment does.

    An explicit ``timestamp`` is kept. Otherwise a device time (``originalTimestamp``)
    is shifted by the device clock's error, ``sentAt - receivedAt``:
    ``timestamp = receivedAt - (sentAt - originalTimestamp)``. With neither, the
    message happened when it arrived.
    """
    explicit = message_time(message.get("timestamp"), "timestamp")
    if explicit is not None:
        return explicit
    original = message_time(message.get("originalTimestamp"), "originalTimestamp")
    sent = message_time(message.get("sentAt"), "sentAt") or sent_at
    if original is not None and sent is not None:
        return received_at - (sent - original)
    return original or received_at


def message_dict(message: Mapping[str, Any], *path: str) -> dict[str, Any]:
    value: Any = message
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MessageError(f"{'.'.join(path)}: expected an object, got {type(value).__name__}")
    return value


#: The longest id a message may carry: an anonymous id as stored, and a userId with
#: its ``user:`` prefix. A group id becomes an account's property, not a column.
MAX_ID_CHARS = 128
_ID_LIMITS = {"userId": MAX_ID_CHARS - len("user:"), "groupId": 255}


def message_text(message: Mapping[str, Any], key: str) -> str:
    value = message.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MessageError(f"{key}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    if "\x00" in text:
        raise MessageError(f"{key}: contains a NUL character")
    if key.endswith("Id") and len(text) > _ID_LIMITS.get(key, MAX_ID_CHARS):
        raise MessageError(f"{key}: longer than {_ID_LIMITS.get(key, MAX_ID_CHARS)} characters")
    return text


def as_email(value: object) -> str | None:
    if isinstance(value, str) and "@" in value:
        try:
            return normalize_email(value).address
        except InvalidEmail:
            return None
    return None


@dataclass(frozen=True)
class Who:
    """The identifiers one message carries."""

    email: str | None
    anonymous_id: str
    user_key: str  # ``user:<userId>`` for a userId that is not an email

    @property
    def keys(self) -> list[str]:
        return [k for k in (self.anonymous_id, self.user_key) if k]


def who(message: Mapping[str, Any]) -> Who:
    traits = message_dict(message, "traits") or message_dict(message, "context", "traits")
    user_id = message_text(message, "userId")
    raw_email = traits.get("email")
    email = as_email(raw_email) if raw_email else as_email(user_id)
    if raw_email and email is None:
        raise MessageError(f"traits.email: {raw_email!r} is not an email address")
    user_key = f"{USER_PREFIX}{user_id}" if user_id and as_email(user_id) is None else ""
    return Who(email, message_text(message, "anonymousId"), user_key)


def message_id(message: Mapping[str, Any]) -> str:
    """``messageId``, or one derived from the content so a resent message is still one."""
    given = message_text(message, "messageId")
    if given:
        return given
    digest = hashlib.sha256(json.dumps(message, sort_keys=True, default=str).encode())
    return f"segment-{digest.hexdigest()[:40]}"


def reported_id(message: object) -> str | None:
    """The id an answer names a message by; None when it has no usable one."""
    if not isinstance(message, dict):
        return None
    try:
        return message_id(message)
    except MessageError:
        return None


def _bounded(value: object, name: str, limit: int) -> str:
    """Text for a touch column: at most ``limit`` characters, no NUL (as ``EventIn``)."""
    text = str(value).strip()
    if "\x00" in text:
        raise MessageError(f"{name}: contains a NUL character")
    if len(text) > limit:
        raise MessageError(f"{name}: longer than {limit:,} characters")
    return text


def _campaign(context: Mapping[str, Any], url: str) -> dict[str, str]:
    campaign = message_dict(dict(context), "campaign")
    found = {
        ours: _bounded(campaign[theirs], f"context.campaign.{theirs}", 200)
        for theirs, ours in _UTM_KEYS.items()
        if campaign.get(theirs)
    }
    if not found and "utm_" in url:
        # Page calls without a parsed campaign still carry it in the landing URL.
        query = parse_qs(urlsplit(url).query)
        for theirs, ours in _UTM_KEYS.items():
            values = query.get(f"utm_{'campaign' if theirs == 'name' else theirs}")
            if values:
                found[ours] = _bounded(values[0], f"utm_{theirs} of the page URL", 200)
    return found


def touch_row(
    message: Mapping[str, Any],
    call: str,
    received_at: datetime,
    sent_at: datetime | None,
    *,
    mapping: EventMapping,
    person: Who,
    index: int = 0,
) -> dict[str, Any]:
    """The touch (a row of ``TOUCH_INPUT``) a track, page or screen call stands for.

    Held to the bounds the native events API holds an event to (``EventIn``), checked
    here on values this module already parsed rather than by parsing them again.
    """
    if not person.email and not person.keys:
        raise MessageError("a message needs an anonymousId, a userId or traits.email")
    properties = dict(message_dict(message, "properties"))
    context = message_dict(message, "context")
    page = message_dict(message, "context", "page")
    name = message_text(message, "event") if call == "track" else message_text(message, "name")
    if call == "track":
        if not name:
            raise MessageError("event: a track call needs the event's name")
        rule = mapping.rule_for(name)
    else:
        rule = EventRule(TouchType.PAGE_VIEW)
    url = _bounded(page.get("url") or properties.get("url") or "", "context.page.url", 2000)
    extras = {
        "event": name,
        "call": call,
        "referrer": page.get("referrer") or properties.get("referrer"),
        "title": page.get("title") or properties.get("title"),
    }
    properties.update({k: v for k, v in extras.items() if v})
    try:
        check_json(properties)
        when = check_year(event_time(message, received_at, sent_at), "timestamp")
    except InvalidInputError as exc:
        raise MessageError(exc.message) from None
    email = normalize_email(person.email) if person.email else None
    campaign = _campaign(context, url)
    channel = rule.channel
    if call == "page" and page:
        # A browser's page call says where the visit came from (a server's says nothing).
        channel = visit_channel(
            url=url,
            referrer=str(extras["referrer"] or ""),
            utm_medium=campaign.get("utm_medium", ""),
        )
    return {
        "row": index,
        "event_id": message_id(message),
        "occurred_at": when,
        "type": rule.type.value,
        "email": email.address if email else "",
        "canonical_email": email.canonical if email else "",
        "anonymous_id": person.anonymous_id or person.user_key,
        "channel": channel.value if channel else "",
        "campaign": "",
        "content": "",
        "content_id": None,
        "url": url,
        **{key: campaign.get(key, "") for key in _UTM_KEYS.values()},
        "properties": json.dumps(properties, ensure_ascii=False),
    }


def trait_profile(traits: Mapping[str, Any]) -> dict[str, str]:
    """Segment's reserved traits that revloop keeps on a person."""
    given = traits.get("address")
    address: dict[str, Any] = given if isinstance(given, dict) else {}
    values = {
        "first_name": traits.get("firstName") or traits.get("first_name"),
        "last_name": traits.get("lastName") or traits.get("last_name"),
        "title": traits.get("title"),
        "phone": traits.get("phone"),
        "country": address.get("country") if len(str(address.get("country") or "")) == 2 else None,
    }
    return {k: str(v) for k, v in values.items() if v}


def trait_company(traits: Mapping[str, Any]) -> str:
    company = traits.get("company")
    if isinstance(company, dict):
        company = company.get("name")
    return str(company or "")


def reason_of(errors: Sequence[Any]) -> str:
    return "; ".join(f"{e.field}: {e.message}" for e in errors)


def person_for(identifier: str) -> int | None:
    """The person an id of any kind (email, userId, anonymousId) already belongs to."""
    email = as_email(identifier)
    if email is not None:
        found = Person.objects.filter(email_key=normalize_email(email).canonical)
        return found.values_list("id", flat=True).first()
    owners = people_for_anonymous_ids([identifier, f"{USER_PREFIX}{identifier}"])
    return owners.get(identifier) or owners.get(f"{USER_PREFIX}{identifier}")


def group_domain(traits: Mapping[str, Any]) -> str:
    raw = str(traits.get("domain") or traits.get("website") or "").strip().lower()
    host = urlsplit(raw if "//" in raw else f"//{raw}").hostname or ""
    return host.removeprefix("www.")


@dataclass
class SegmentResult:
    """What became of one request's messages."""

    messages: int
    stored: int = 0
    duplicates: int = 0
    errors: dict[int, str] = field(default_factory=dict)

    def body(self, ids: Sequence[str | None]) -> dict[str, Any]:
        if not self.errors:
            return {"success": True}
        return {
            "success": False,
            "code": "invalid",
            "message": f"{len(self.errors)} of {self.messages} messages rejected; "
            "the others were stored",
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": [
                {"index": i, "messageId": ids[i], "reason": reason}
                for i, reason in sorted(self.errors.items())
            ],
        }


def call_type(message: object, default: str | None) -> str:
    if not isinstance(message, dict):
        raise MessageError(f"a message must be an object, got {type(message).__name__}")
    call = message.get("type") or default
    if call not in CALL_TYPES:
        raise MessageError(f"type: {call!r} is not one of {', '.join(CALL_TYPES)}")
    return str(call)
