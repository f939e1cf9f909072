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


# On SQLite the server thread shares the test's in-memory connection, so the test's own
# transaction is enough (a flush could not delete the append-only rows); on PostgreSQL the
# server has its own connection and must see committed data.
live_db = pytest.mark.django_db(transaction=connection.vendor == "postgresql")
