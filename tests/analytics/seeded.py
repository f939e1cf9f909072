"""The demo company in the Django test database, with planner statistics.

Seeded inside the test's transaction, the rows are invisible to PostgreSQL's
autovacuum, so the planner would take every table for empty and join them by nested
loops (minutes instead of a second). ``ANALYZE`` inside the same transaction counts
them, as autovacuum does for a committed seed.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from revloop.demo.seed import seed_demo


def seed_company(*, leads: int, seed: int, now: datetime) -> None:
    seed_demo(leads=leads, seed=seed, now=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
