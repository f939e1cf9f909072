"""Find campaigns and content assets by the names and addresses that events carry."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from revloop.activity.models import Campaign, ContentAsset


def _ids_by(model: Any, name_field: str, alt_field: str, keys: set[str]) -> dict[str, int]:
    """Ids of rows whose ``name_field`` (first) or ``alt_field`` is one of ``keys``."""
    if not keys:
        return {}
    found: dict[str, int] = {}
    rows = model.objects.filter(
        Q(**{f"{name_field}__in": keys}) | Q(**{f"{alt_field}__in": keys})
    ).values_list("id", name_field, alt_field)
    for pk, name, _ in rows:
        found.setdefault(name, pk)
    for pk, _, alt in rows:
        if alt:
            found.setdefault(alt, pk)
    return found


def campaign_ids(keys: set[str]) -> dict[str, int]:
    """By campaign name, else by its utm_campaign value."""
    return _ids_by(Campaign, "name", "utm_campaign", keys)


def content_ids(keys: set[str]) -> dict[str, int]:
    """By content title, else by its URL."""
    return _ids_by(ContentAsset, "title", "url", keys)
