"""The website tracker's key: who may manage it, what it allows, and reading it.

Marketing runs the website; admins run revloop. The changes are in ``capture/actions.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from revloop.capture.models import SITE_KEY_PREFIX, SiteKey
from revloop.core.errors import InvalidInputError
from revloop.users.models import User
from revloop.users.policy import allows, require

MAX_ORIGINS = 20


def may_manage_tracking(user: User) -> bool:
    return allows(user, "tracking.manage")


def check_can_manage_tracking(user: User | None) -> None:
    """``None`` is the system itself (the demo seeding); a person needs a tracking role."""
    if user is not None:
        require(user, "tracking.manage")


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


def origins_list(given: Iterable[str]) -> list[str]:
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


def snippet(host: str, key: SiteKey) -> str:
    """The lines a site pastes before ``</head>``."""
    options = {"host": host, **({"requireConsent": True} if key.require_consent else {})}
    listed = ", ".join(f"{name}: {json.dumps(value)}" for name, value in options.items())
    return (
        "<script>\n"
        "  window.revloop = window.revloop || function () "
        "{ (revloop.q = revloop.q || []).push(arguments); };\n"
        f'  revloop("init", {json.dumps(key.key)}, {{{listed}}});\n'
        "</script>\n"
        f'<script async src="{host}/t.js"></script>'
    )


def tag_only_snippet(host: str, key: SiteKey) -> str:
    """The same without an inline script, for a site whose CSP allows none."""
    consent = " data-require-consent" if key.require_consent else ""
    attributes = f'data-key="{key.key}" data-host="{host}"{consent}'
    return f'<script async src="{host}/t.js" {attributes}></script>'
