"""Applying incoming values to a stored record without losing what is already known."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def fill_known(obj: Any, values: Mapping[str, Any]) -> list[str]:
    """Set each non-empty value that differs; return the names of the fields changed.

    An empty value ("", None, {}) never erases what is known. ``properties`` (the
    kept-aside columns of an import) is merged key by key rather than replaced.
    """
    changed = []
    for name, value in values.items():
        if value in ("", None) or value == {}:
            continue
        current = getattr(obj, name)
        if name == "properties":
            merged = {**current, **value}
            if merged != current:
                obj.properties = merged
                changed.append(name)
        elif current != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed
