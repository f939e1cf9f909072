"""Parallel routing workers on PostgreSQL never assign a lead twice nor overfill a rep."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count

from revloop.people.models import Person
from revloop.routing.actions import do_route_people
from revloop.routing.models import Assignment, SlaBreach, SlaClock
from revloop.routing.sweep import sweep_sla_clocks
from revloop.users.models import User
from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import BOTH_WORKING

pytestmark = [
    pytest.mark.postgres,
    # Checked before the fixtures write: SQLite serialises writers, so there is no race,
    # and its test flush could not delete the append-only rows they leave.
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the race needs a server database"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_assign_each_lead_once_within_capacity(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    small_capacity: Callable[[int], Any],
) -> None:
    ids = [make_mql(region="EMEA" if n % 2 else "NA").pk for n in range(90)]
    contract = small_capacity(10)
    start = Barrier(6)

    def route(part: list[int] | None) -> dict[str, Any]:
        try:
            start.wait()
            return do_route_people(part, BOTH_WORKING, contract=contract)
        finally:
            connections.close_all()

    # Four workers take a share each (competing for the reps' capacity), two take
    # everything (competing for the same leads).
    parts: list[list[int] | None] = [ids[i::4] for i in range(4)] + [None, None]
    with ThreadPoolExecutor(len(parts)) as pool:
        summaries = list(pool.map(route, parts))

    # Six reps with room for ten each: 60 leads, each assigned by exactly one worker.
    assert sum(s["assigned"] for s in summaries) == 60
    assert Assignment.objects.count() == 60
    twice = Assignment.objects.values("person").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()
    load = Person.objects.filter(owner__isnull=False).values("owner").annotate(n=Count("id"))
    assert max(row["n"] for row in load) <= 10
    assert SlaClock.objects.count() == 60 * 3


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_record_and_announce_each_breach_once(
    team: dict[str, User], make_mql: Callable[..., Person], hooks: WebhookEndpoint
) -> None:
    ids = [make_mql(region="EMEA" if n % 2 else "NA").pk for n in range(40)]
    do_route_people(ids, BOTH_WORKING)
    # Thursday evening: every first-touch and accept-or-reject deadline has passed.
    later = BOTH_WORKING + timedelta(days=2, hours=8)
    start = Barrier(3)

    def sweep(_: int) -> dict[str, Any]:
        try:
            start.wait()
            return sweep_sla_clocks(later)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(sweep, range(3)))

    assert sum(r["breached"] for r in results) == 80
    assert SlaBreach.objects.count() == 80
    # Announced once each: one by one, or in one message per batch listing its clocks.
    announced = [
        clock["clock_id"]
        for payload in WebhookDelivery.objects.filter(event="sla.breached").values_list(
            "payload", flat=True
        )
        for clock in payload["data"].get("clocks", [payload["data"]])
    ]
    assert sorted(announced) == sorted(SlaBreach.objects.values_list("clock_id", flat=True))
    assert sum(r["reassigned"] for r in results) == 40
    assert Assignment.objects.filter(ended_at__isnull=True).count() == 40
