"""The website tracker's key and the event-name mapping.

One key is live at a time. Rotating revokes the live key and issues a new one with the
same settings, so a key copied from the site's source by someone else stops working as
soon as the new snippet is published.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from revloop.capture.models import SITE_KEY_PREFIX, SiteKey
from revloop.capture.segment import MAPPING_FILE, EventMapping, parse_mapping
from revloop.capture.site_keys import check_can_manage_tracking, origins_list
from revloop.core.errors import InvalidInputError
from revloop.users.models import User


def do_rotate_site_key(
    user: User | None, *, origins: Iterable[str] | None = None, require_consent: bool | None = None
) -> SiteKey:
    """Revoke the live key and issue a new one, keeping its settings unless new ones are given."""
    check_can_manage_tracking(user)
    listed = None if origins is None else origins_list(origins)
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
    listed = origins_list(origins)
    with transaction.atomic():
        current = SiteKey.objects.select_for_update().filter(revoked_at__isnull=True).first()
        if current is None:
            return do_rotate_site_key(user, origins=listed, require_consent=require_consent)
        current.origins = listed
        current.require_consent = require_consent
        current.save(update_fields=["origins", "require_consent"])
        return current


MAX_MAPPING_BYTES = 100_000


def do_save_event_mapping(user: User | None, text: str) -> EventMapping:
    """Make ``text`` the event-name mapping, in $REVLOOP_HOME/segment_events.yaml.

    The text is checked first, so a wrong line leaves the mapping in effect as it was;
    the file is replaced whole, never left half-written.
    """
    check_can_manage_tracking(user)
    target = Path(settings.REVLOOP_HOME) / MAPPING_FILE
    if len(text.encode()) > MAX_MAPPING_BYTES:
        raise InvalidInputError(f"mapping: at most {MAX_MAPPING_BYTES:,} bytes")
    try:
        mapping = parse_mapping(text, target)
    except ValueError as exc:
        raise InvalidInputError(f"mapping: {exc}") from None
    staging = target.with_name(f".{MAPPING_FILE}.{secrets.token_hex(4)}")
    staging.write_text(text if text.endswith("\n") else f"{text}\n", encoding="utf-8")
    staging.replace(target)
    return mapping
