"""The demo company in the Django test database, with planner statistics.

Seeded inside the test's transaction, the rows are invisible to PostgreSQL's
autovacuum, so the planner would take every table for empty and join them by nested
loops (minutes instead of a second). ``ANALYZE`` inside the same transaction counts
them, as autovacuum does for a committed seed.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Group
from django.db import connection

from revloop.demo.seed import seed_demo
from revloop.engine.vocabulary import Role


def seed_company(*, leads: int, seed: int, now: datetime) -> None:
    # A transactional test before this one (PostgreSQL) flushed the roles a migration makes.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    seed_demo(leads=leads, seed=seed, now=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
