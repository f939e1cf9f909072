"""The website tracker's key: who may create, rotate and configure it, and what it allows.

One key is live at a time. Rotating revokes the live key and issues a new one with the
same settings, so a key copied from the site's source by someone else stops working as
soon as the new snippet is published. Marketing runs the website; admins run revloop.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from revloop.capture.models import SITE_KEY_PREFIX, SiteKey
from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.engine.vocabulary import Role
from revloop.users.models import User

#: Who may see the snippet and change the key.
TRACKING_ROLES: tuple[Role, ...] = (Role.MARKETING, Role.ADMIN)
MAX_ORIGINS = 20


def may_manage_tracking(user: User) -> bool:
    return user.is_active and user.has_role(*TRACKING_ROLES)


def check_can_manage_tracking(user: User | None) -> None:
    """``None`` is the system itself (the demo seeding); a person needs a tracking role."""
    if user is not None and not may_manage_tracking(user):
        raise ForbiddenError("website tracking settings need the marketing or admin role")


def normalize_origin(text: str) -> str:
    """``https://www.example.com`` from what a person types (a page address will do)."""
    raw = text.strip()
    parts = urlsplit(raw if "//" in raw else f"https://{raw}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"origins: {text!r} is not a web address like https://example.com")
    try:
        port = parts.port
    except ValueError:
        raise InvalidInputError(f"origins: {text!r} has an invalid port") from None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}{f':{port}' if port and port != default else ''}"


def _origins(given: Iterable[str]) -> list[str]:
    found = list(dict.fromkeys(normalize_origin(o) for o in given if o.strip()))
    if len(found) > MAX_ORIGINS:
        raise InvalidInputError(f"origins: at most {MAX_ORIGINS} sites per key")
    return found


def active_site_key() -> SiteKey | None:
    return SiteKey.objects.filter(revoked_at__isnull=True).first()


def site_key(raw: str) -> SiteKey | None:
    """The live key for a write key sent by a browser, or None."""
    if not raw.startswith(SITE_KEY_PREFIX):
        return None
    return SiteKey.objects.filter(key=raw, revoked_at__isnull=True).first()


def is_site_origin(origin: str) -> bool:
    """Whether a live key lists ``origin`` (a preflight carries no key to check)."""
    return any(key.allows(origin) for key in SiteKey.objects.filter(revoked_at__isnull=True))


def do_rotate_site_key(
    user: User | None, *, origins: Iterable[str] | None = None, require_consent: bool | None = None
) -> SiteKey:
    """Revoke the live key and issue a new one, keeping its settings unless new ones are given."""
    check_can_manage_tracking(user)
    listed = None if origins is None else _origins(origins)
    now = timezone.now()
    with transaction.atomic():
        current = SiteKey.objects.select_for_update().filter(revoked_at__isnull=True).first()
        SiteKey.objects.filter(revoked_at__isnull=True).update(revoked_at=now)
        return SiteKey.objects.create(
            key=f"{SITE_KEY_PREFIX}{secrets.token_urlsafe(24)}",
            origins=listed if listed is not None else (current.origins if current else []),
            require_consent=(
                require_consent
                if require_consent is not None
                else bool(current and current.require_consent)
            ),
            created_by=user,
            created_at=now,
        )


def do_set_tracking_options(
    user: User | None, *, origins: Iterable[str], require_consent: bool
) -> SiteKey:
    """Change where the live key is taken from and whether the tracker waits for consent."""
    check_can_manage_tracking(user)
    listed = _origins(origins)
    with transaction.atomic():
        current = SiteKey.objects.select_for_update().filter(revoked_at__isnull=True).first()
        if current is None:
            return do_rotate_site_key(user, origins=listed, require_consent=require_consent)
        current.origins = listed
        current.require_consent = require_consent
        current.save(update_fields=["origins", "require_consent"])
        return current
