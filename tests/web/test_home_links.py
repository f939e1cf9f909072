"""Home: the funnel this quarter against the last, alerts and a rep's inbox, every number a
link to the lead list of the people behind it, and the count there the same."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from revloop.routing.models import Assignment, SlaClock
from revloop.users.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def count_at(client: Client, url: str) -> int:
    html = client.get(url.replace("&amp;", "&")).content.decode()
    found = re.search(r'data-figure="total">([\d,]+) lead', html)
    assert found, url
    return int(found.group(1).replace(",", ""))


def test_funnel_and_alert_numbers_lead_to_as_many_people(client: Client, rep: User) -> None:
    now = timezone.now()
    people = [
        factories.person(created_at=now - timedelta(hours=n + 1), owner=rep, stage=stage)
        for n, stage in enumerate(["sal", "mql", "lead"])
    ]
    for person in people:
        factories.transition(person, from_stage="", to_stage="lead", at=person.created_at)
    for person in people[:2]:
        factories.transition(person, from_stage="lead", to_stage="mql", at=now)
    factories.transition(people[0], from_stage="mql", to_stage="sal", at=now)
    assignment = Assignment.objects.create(person=people[1], rep=rep, at=now, rule_id="t")
    SlaClock.objects.create(
        person=people[1],
        assignment=assignment,
        rep=rep,
        kind="first_touch",
        started_at=now - timedelta(hours=9),
        due_at=now - timedelta(hours=1),
        breached_at=now - timedelta(hours=1),
    )
    client.force_login(rep)
    html = client.get("/").content.decode()

    rows = dict(
        re.findall(r'<tr data-step="(\w+)">.*?<a href="([^"]+)">[\d,]+</a>', html, flags=re.DOTALL)
    )
    shown = dict(
        re.findall(r'<tr data-step="(\w+)">.*?<a href="[^"]+">([\d,]+)</a>', html, flags=re.DOTALL)
    )
    assert shown["mql"] == "2"
    assert shown["sal"] == "1"
    assert count_at(client, rows["mql"]) == 2
    assert count_at(client, rows["sal"]) == 1

    breaches = re.search(r'data-alert="breaches"><a href="([^"]+)"><strong>(\d+)</strong>', html)
    assert breaches is not None
    assert breaches.group(2) == "1"
    assert count_at(client, breaches.group(1)) == 1

    mine = re.search(r'<a href="([^"]+)" data-figure="my_open">(\d+) open', html)
    assert mine is not None
    assert mine.group(2) == "2"
    assert count_at(client, mine.group(1)) == 2
    stage = re.search(r'<a href="([^"]+)" data-stage="mql">(\d+)</a>', html)
    assert stage is not None
    assert count_at(client, stage.group(1)) == int(stage.group(2)) == 1


def test_the_home_page_points_to_each_answer(client: Client, marketer: User) -> None:
    client.force_login(marketer)
    html = client.get("/").content.decode()
    for question in (
        "Why did a lead go to its rep",
        "Which content brought in revenue?",
        "Which content misinforms prospects?",
        "Is each team meeting its SLA?",
    ):
        assert question in html
    assert 'data-section="my-inbox"' not in html  # a marketer has no inbox
