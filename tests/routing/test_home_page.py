"""The home page shows both teams' side of the SLA this week."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import time_machine
from django.test import Client

from revloop.core.signals import sales_activity_logged
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.routing.actions import do_route_people
from revloop.routing.sweep import sweep_sla_clocks
from revloop.users.models import User

from .conftest import BERLIN_MORNING


def _figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"[^>]*>(.*?)</p>', html, re.S)
    assert found is not None, name
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_home_shows_sales_and_marketing_compliance_this_week(
    client: Client, team: dict[str, User], viewer: User, make_mql: Callable[..., Person]
) -> None:
    kept, missed = make_mql(region="EMEA"), make_mql(region="EMEA")
    for lead in (kept, missed):
        StageTransition.objects.create(
            person=lead, from_stage="lead", to_stage="mql", at=BERLIN_MORNING
        )
    do_route_people([kept.pk, missed.pk], BERLIN_MORNING)
    kept.refresh_from_db()
    assert kept.owner is not None
    sales_activity_logged.send(
        sender=None, person_id=kept.pk, user_id=kept.owner.pk, kind="call", at=BERLIN_MORNING
    )
    later = BERLIN_MORNING + timedelta(hours=5)
    sweep_sla_clocks(later)
    client.force_login(viewer)

    with time_machine.travel(later, tick=False):
        html = client.get("/").content.decode()

    assert _figure(html, "sales_sla_rate") == "50%"
    # The kept lead was called at once; the missed one never.
    assert _figure(html, "speed_to_lead").startswith("Speed to lead: 0.0 business hours")
    assert _figure(html, "first_touch_in_time") == "First touch in time: 50% (1 of 2)"
    rep = kept.owner.username
    row = re.search(rf'<tr data-rep="{rep}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>.*?</td>", row[1])]
    # The round robin gave the two leads to two reps: the kept one's rep called at once.
    assert cells == [rep, "emea", "100% (1 of 1)", "0.0", "1 of 1"]
    assert '<tr data-team="emea">' in html
    assert _figure(html, "marketing_mqls") == "2 MQLs"
    assert _figure(html, "marketing_mql_target") == "target 35 (not met yet)"
    assert "No MQL accepted or rejected yet" in _figure(html, "marketing_acceptance")
