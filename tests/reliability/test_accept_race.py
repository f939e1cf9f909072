"""Two people accepting the same lead at once: one wins, the other is told who did.

The rep who owns the lead and their manager both may work it. Whoever comes second,
by a hair (the race, on PostgreSQL with real connections) or by minutes (on both
databases), gets 409 ``conflict`` in the API and the same sentence in the inbox row, and
the stage history and the audit trail hold one move.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from revloop.contracts.versions import active_version
from revloop.engine.vocabulary import Role
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.users.models import AuditEntry, User
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pair(make_user: Callable[..., User]) -> dict[str, User]:
    active_version()
    manager = make_user("mona", Role.SALES_MANAGER)
    return {"rep": make_user("rob", Role.SALES_REP, manager=manager), "manager": manager}


def _moves(lead: Person) -> list[tuple[str, str, str]]:
    return [
        (t.from_stage, t.to_stage, t.by_user.username if t.by_user else "")
        for t in StageTransition.objects.filter(person=lead).select_related("by_user")
    ]


def _audited(lead: Person) -> int:
    return AuditEntry.objects.filter(
        action="lead.stage_changed", object_type="person", object_id=str(lead.pk)
    ).count()


@pytest.mark.django_db
def test_the_second_accept_is_a_conflict_naming_who_accepted(
    pair: dict[str, User], token_client: Callable[..., Client]
) -> None:
    lead = factories.person(email="lena@northwind.example", stage="mql", owner=pair["rep"])
    url = f"/api/v1/people/{lead.pk}/verdicts"
    first = token_client(pair["rep"]).post(url, {"verdict": "accept"}, "application/json")
    second = token_client(pair["manager"]).post(url, {"verdict": "accept"}, "application/json")

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert "already moved from mql to sal by rob" in second.json()["message"]
    assert _moves(lead) == [("mql", "sal", "rob")]
    assert _audited(lead) == 1


@pytest.mark.django_db
def test_the_inbox_row_says_who_accepted_first(pair: dict[str, User]) -> None:
    lead = factories.person(email="lena@northwind.example", stage="mql", owner=pair["rep"])
    rep, manager = Client(), Client()
    rep.force_login(pair["rep"])
    manager.force_login(pair["manager"])
    assert rep.post(f"/inbox/{lead.pk}/accept/", {}, **HTMX).status_code == 200
    late = manager.post(f"/inbox/{lead.pk}/accept/", {}, **HTMX)
    assert late.status_code == 200
    assert "already moved from mql to sal by rob" in late.content.decode()
    assert _moves(lead) == [("mql", "sal", "rob")]


def _hold_row(pk: int, held: threading.Event, release: threading.Event) -> None:
    """Lock the lead's row until told, so both requests have read it before either moves."""
    try:
        with transaction.atomic():
            list(Person.objects.select_for_update().filter(pk=pk).values("pk"))
            held.set()
            release.wait(10)
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time: two requests cannot both read before either writes",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "second", [{"verdict": "accept"}, {"verdict": "reject", "reason_code": "no_budget"}]
)
def test_two_verdicts_at_the_same_moment_one_wins(
    pair: dict[str, User], token_client: Callable[..., Client], second: dict[str, str]
) -> None:
    lead = factories.person(email="lena@northwind.example", stage="mql", owner=pair["rep"])
    url = f"/api/v1/people/{lead.pk}/verdicts"
    clients = [
        (token_client(pair["rep"]), {"verdict": "accept"}),
        (token_client(pair["manager"]), second),
    ]
    held, release = threading.Event(), threading.Event()
    started = threading.Barrier(len(clients) + 1)

    def post(job: tuple[Client, dict[str, Any]]) -> Any:
        client, body = job
        try:
            started.wait()
            response = client.post(url, body, "application/json")
            return response.status_code, response.json()
        finally:
            connections.close_all()

    holder = threading.Thread(target=_hold_row, args=(lead.pk, held, release))
    holder.start()
    assert held.wait(10)
    with ThreadPoolExecutor(len(clients)) as pool:
        answers = pool.map(post, clients)
        started.wait()
        # Both requests are now past their read and queue on the row lock.
        _wait_for_lock_waiters(2)
        release.set()
        results = list(answers)
    holder.join()

    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["code"] == "conflict"
    assert "already moved from mql to" in loser["message"]
    assert len(_moves(lead)) == 1
    assert _audited(lead) == 1


def _wait_for_lock_waiters(count: int) -> None:
    """Until ``count`` other sessions wait on a row lock (PostgreSQL's own view of it)."""
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= count:
                return
            threading.Event().wait(0.05)
    pytest.fail(f"{count} requests never waited on the lead's row lock")
