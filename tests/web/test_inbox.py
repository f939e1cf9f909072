"""The rep inbox: whose leads, in which order, with live countdowns; actions by role."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from revloop.engine.vocabulary import Role
from revloop.feedback.inbox import rep_inbox
from revloop.feedback.models import HeardItem, Note, SalesActivity
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity
from revloop.routing.models import Assignment, SlaClock
from revloop.users.models import User
from tests import factories

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def clock(person: Person, rep: User, due_in: timedelta, *, breached: bool = False) -> SlaClock:
    now = timezone.now()
    assignment = Assignment.objects.create(person=person, rep=rep, at=now, rule_id="test")
    return SlaClock.objects.create(
        person=person,
        assignment=assignment,
        rep=rep,
        kind="first_touch",
        started_at=now,
        due_at=now + due_in,
        breached_at=now if breached else None,
    )


@pytest.fixture
def desk(make_user: Callable[..., User], manager: User, rep: User) -> dict[str, object]:
    """rob (managed by mona) owns four open leads and a customer; sam (another team) one."""
    rep.manager = manager
    rep.save(update_fields=["manager"])
    sam = make_user("sam", Role.SALES_REP)
    hot = factories.person(email="hot@a.example", owner=rep, stage="mql", rule_score=200)
    late = factories.person(email="late@a.example", owner=rep, stage="mql", rule_score=20)
    soon = factories.person(email="soon@a.example", owner=rep, stage="mql", rule_score=60)
    quiet = factories.person(email="quiet@a.example", owner=rep, stage="sql", rule_score=300)
    factories.person(email="won@a.example", owner=rep, stage="customer")
    theirs = factories.person(email="theirs@b.example", owner=sam, stage="mql")
    clock(hot, rep, timedelta(days=3))
    clock(late, rep, timedelta(minutes=-30), breached=True)
    clock(soon, rep, timedelta(minutes=20))
    clock(theirs, sam, timedelta(hours=1), breached=True)
    return {"sam": sam, "hot": hot, "late": late, "soon": soon, "quiet": quiet, "theirs": theirs}


def test_a_rep_sees_their_own_leads_breached_first_then_by_priority(
    desk: dict[str, object], rep: User
) -> None:
    inbox = rep_inbox(rep)
    assert [row.email for row in inbox.rows] == [
        "late@a.example",  # breached
        "soon@a.example",  # due in 20 minutes
        "quiet@a.example",  # no clock, but 300 points
        "hot@a.example",  # 200 points, due in three days
    ]
    assert (inbox.total, inbox.breached, inbox.team) == (4, 1, [])
    late, soon = inbox.rows[0], inbox.rows[1]
    assert late.breached
    assert late.countdown.endswith("overdue")
    assert soon.countdown.startswith("0h 19m") or soon.countdown.startswith("0h 20m")
    assert (soon.can_accept, soon.can_convert) == (True, False)
    assert (inbox.rows[2].can_accept, inbox.rows[2].can_convert) == (False, True)


def test_the_page_shows_live_countdowns(client: Client, desk: dict[str, object], rep: User) -> None:
    client.force_login(rep)
    response = client.get("/inbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/revloop/countdown.js" in html
    assert html.count("data-due=") == 3
    assert 'data-figure="breached">1<' in html
    rows = [part.split('"')[0] for part in html.split('data-person="')[1:]]
    quiet = desk["quiet"]
    assert isinstance(quiet, Person)
    assert rows[2] == str(quiet.pk)
    assert "theirs@" not in html


def test_a_manager_sees_the_team_and_its_breaches(
    client: Client, desk: dict[str, object], manager: User
) -> None:
    client.force_login(manager)
    html = client.get("/inbox/").content.decode()
    assert 'data-member="rob"' in html
    assert 'data-figure="open">4<' in html
    one = client.get("/inbox/?rep=rob")
    assert one.status_code == 200
    assert "Inbox of rob" in one.content.decode()
    assert client.get("/inbox/?rep=sam").status_code == 403
    assert client.get("/inbox/?rep=nobody").status_code == 404


def test_roles_that_work_no_leads_have_no_inbox(
    client: Client, marketer: User, viewer: User, outsider: User, rep: User
) -> None:
    assert client.get("/inbox/").status_code == 302
    for user in (marketer, viewer, outsider):
        client.force_login(user)
        assert client.get("/inbox/").status_code == 403
    client.force_login(rep)
    assert client.get("/inbox/?rep=mia").status_code in {403, 404}


def test_the_owner_accepts_and_the_row_is_swapped(
    client: Client, desk: dict[str, object], rep: User
) -> None:
    soon = desk["soon"]
    assert isinstance(soon, Person)
    client.force_login(rep)
    response = client.post(f"/inbox/{soon.pk}/accept/", {"note": "on it"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="lead-{soon.pk}"')
    assert "Accepted." in html
    assert "SAL (accepted)" in html
    assert StageTransition.objects.get(person=soon).to_stage == "sal"


def test_a_rep_cannot_act_on_another_reps_lead(
    client: Client, desk: dict[str, object], rep: User, marketer: User, viewer: User
) -> None:
    theirs = desk["theirs"]
    assert isinstance(theirs, Person)
    for user in (rep, marketer, viewer):
        client.force_login(user)
        for action, body in [
            ("accept", {}),
            ("reject", {"reason": "reject:no_budget"}),
            ("activity", {"kind": "call"}),
            ("heard", {"kind": "question", "text": "price?"}),
        ]:
            response = client.post(f"/inbox/{theirs.pk}/{action}/", body, **HTMX)
            assert response.status_code == 403, (user.username, action)
    assert not StageTransition.objects.exists()
    assert not SalesActivity.objects.exists()
    assert not HeardItem.objects.exists()


def test_a_manager_rejects_for_their_team_with_a_contract_reason(
    client: Client, desk: dict[str, object], manager: User
) -> None:
    late = desk["late"]
    assert isinstance(late, Person)
    client.force_login(manager)
    bad = client.post(f"/inbox/{late.pk}/reject/", {"reason": "reject:too_pricey"}, **HTMX)
    assert bad.status_code == 200
    assert "&#x27;too_pricey&#x27; is not a reject reason" in bad.content.decode()
    done = client.post(
        f"/inbox/{late.pk}/reject/",
        {"reason": "disqualify:student", "note": "thesis on fleets"},
        **HTMX,
    )
    assert "Disqualified: student." in done.content.decode()
    assert "left the inbox" in done.content.decode()
    record = StageTransition.objects.get(person=late)
    assert (record.to_stage, record.reason_code, record.note, record.by_user) == (
        "disqualified",
        "student",
        "thesis on fleets",
        manager,
    )


def test_logging_recording_and_converting_from_the_inbox(
    client: Client, desk: dict[str, object], rep: User
) -> None:
    quiet = desk["quiet"]
    assert isinstance(quiet, Person)
    client.force_login(rep)
    logged = client.post(
        f"/inbox/{quiet.pk}/activity/",
        {"kind": "meeting", "outcome": "held", "at": "2026-03-02T10:00", "note": "demo"},
        **HTMX,
    )
    assert "Meeting logged." in logged.content.decode()
    activity = SalesActivity.objects.get(person=quiet)
    assert activity.at == datetime.fromisoformat("2026-03-02T10:00:00+00:00")
    client.post(f"/inbox/{quiet.pk}/heard/", {"kind": "objection", "text": "No API?"}, **HTMX)
    assert HeardItem.objects.get(person=quiet).text == "No API?"
    noted = client.post(f"/inbox/{quiet.pk}/note/", {"text": "Prefers email"}, **HTMX)
    assert "Note added." in noted.content.decode()
    assert Note.objects.get(person=quiet).text == "Prefers email"
    converted = client.post(
        f"/inbox/{quiet.pk}/convert/",
        {"name": "Quiet rollout", "amount": "25000", "currency": "usd", "close_date": "2027-01-31"},
    )
    assert converted.status_code == 302  # without htmx: back to the inbox
    deal = Opportunity.objects.get()
    assert (deal.name, deal.currency, deal.primary_contact) == ("Quiet rollout", "USD", quiet)


def test_the_api_inbox_for_a_rep_and_not_for_a_viewer(
    token_client: Callable[..., Client], desk: dict[str, object], rep: User, viewer: User
) -> None:
    response = token_client(rep).get("/api/v1/inbox")
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    assert [row["email"] for row in data["rows"]][:2] == ["late@a.example", "soon@a.example"]
    assert data["rows"][0]["breached"] is True
    assert data["reject_reasons"][0] == {
        "value": "wrong_target",
        "label": data["reject_reasons"][0]["label"],
    }
    assert token_client(viewer).get("/api/v1/inbox").status_code == 403


def test_the_navigation_offers_the_inbox_to_sales_roles_only(
    client: Client, rep: User, marketer: User
) -> None:
    client.force_login(rep)
    assert ">Inbox</a>" in client.get("/inbox/").content.decode()
    client.force_login(marketer)
    assert (
        ">Inbox</a>" not in client.get(f"/people/{factories.person().pk}/brief/").content.decode()
    )


def test_a_logged_call_stops_the_first_touch_clock(
    client: Client, desk: dict[str, object], rep: User, django_capture_on_commit_callbacks: Any
) -> None:
    soon = desk["soon"]
    assert isinstance(soon, Person)
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/inbox/{soon.pk}/activity/", {"kind": "call", "outcome": "connected"}, **HTMX)
    stopped = SlaClock.objects.get(person=soon)
    assert stopped.stop_reason == "touched_call"
    row = next(row for row in rep_inbox(rep).rows if row.person_id == soon.pk)
    assert (row.clock_kind, row.due_at) == (None, None)


def test_the_number_of_queries_does_not_grow_with_the_leads(
    desk: dict[str, object], manager: User, rep: User
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rep_inbox(manager)
        return len(captured.captured_queries)

    rep_inbox(manager)  # installs the contract on first use
    before = queries()
    for n in range(5):
        lead = factories.person(email=f"more{n}@a.example", owner=rep, stage="mql")
        clock(lead, rep, timedelta(hours=n + 1))
    assert len(rep_inbox(manager).rows) == 9
    assert queries() == before


def test_the_page_shows_the_most_pressing_first_and_offers_more(
    client: Client, desk: dict[str, object], rep: User
) -> None:
    client.force_login(rep)
    html = client.get("/inbox/?show=2").content.decode()
    assert html.count('data-person="') == 2
    assert "Showing the most pressing 2 of 4." in html
    assert 'href="?show=500"' in html
    assert client.get("/inbox/?show=lots").content.decode().count('data-person="') == 4
