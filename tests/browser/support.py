"""What the browser tests share besides fixtures: screen sizes and page measurements."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def overflow_px(page: Any) -> int:
    """How many pixels the document is wider than the viewport (0 when it fits)."""
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def widest_elements(page: Any, limit: int = 3) -> list[str]:
    """The innermost elements that reach past the viewport's right edge, as
    ``tag.class (right edge px)``: what to look at when a page scrolls sideways."""
    return list(
        page.evaluate(
            """(limit) => {
                const edge = document.documentElement.clientWidth;
                const out = [...document.body.querySelectorAll('*')].filter(e => {
                    const r = e.getBoundingClientRect();
                    return r.right > edge + 1 && r.width > 0
                        && ![...e.children].some(c => c.getBoundingClientRect().right > edge + 1);
                });
                const named = e => e.tagName.toLowerCase()
                    + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '');
                return out.slice(0, limit).map(e =>
                    `${named(e)} (${Math.round(e.getBoundingClientRect().right)} px)`);
            }""",
            limit,
        )
    )


# On SQLite the server thread shares the test's in-memory connection, so the test's own
# transaction is enough (a flush could not delete the append-only rows); on PostgreSQL the
# server has its own connection and must see committed data.
live_db = pytest.mark.django_db(transaction=connection.vendor == "postgresql")
