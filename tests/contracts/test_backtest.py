"""The backtest, checked by hand on a small history of six people."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from revloop.contracts.actions import do_propose_contract
from revloop.contracts.backtest import backtest
from revloop.people.models import Person
from revloop.users.models import User
from tests import factories
from tests.contract_helpers import WIDER, demo_request, ideal_person, near_person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def history(person: Person, *steps: tuple[str, str, datetime], reason: str = "") -> None:
    for source, target, at in steps:
        factories.transition(person, from_stage=source, to_stage=target, at=at, reason_code=reason)


@pytest.fixture
def company(marketer: User) -> None:
    """Who would have been an MQL under v1 (grade B or better) and v2 (grade C or better).

    won    grade A, demo request 100 days ago; accepted and won      v1 v2 history
    lost   grade A, demo request 50 days ago; rejected               v1 v2 history
    near   grade C, demo request 30 days ago; accepted, not won         v2 history
    old    grade C, demo request 400 days ago (before the window)
    asked  grade A, no engagement; made an MQL by hand, rejected              history
    pupil  a student: disqualified by the rules
    """
    won = ideal_person(email="won@acme.example")
    demo_request(won, NOW - 100 * DAY)
    history(
        won,
        ("lead", "mql", NOW - 100 * DAY),
        ("mql", "sal", NOW - 99 * DAY),
        ("sal", "sql", NOW - 90 * DAY),
        ("sql", "opportunity", NOW - 80 * DAY),
        ("opportunity", "customer", NOW - 20 * DAY),
    )
    lost = ideal_person(email="lost@acme.example")
    demo_request(lost, NOW - 50 * DAY)
    history(lost, ("lead", "mql", NOW - 50 * DAY), ("mql", "recycled", NOW - 49 * DAY))
    near = near_person(email="near@acme.example")
    demo_request(near, NOW - 30 * DAY)
    history(near, ("lead", "mql", NOW - 30 * DAY), ("mql", "sal", NOW - 29 * DAY))
    old = near_person(email="old@acme.example", created_at=NOW - 500 * DAY)
    demo_request(old, NOW - 400 * DAY)
    history(old, ("lead", "mql", NOW - 400 * DAY))
    asked = ideal_person(email="asked@acme.example")
    factories.touch(person=asked, occurred_at=NOW - 20 * DAY, url="/blog/idle-time")
    history(asked, ("lead", "mql", NOW - 20 * DAY), ("mql", "disqualified", NOW - 19 * DAY))
    pupil = ideal_person(email="pupil@uni.example", title="Student")
    demo_request(pupil, NOW - 10 * DAY)
    do_propose_contract(WIDER, by=marketer)


@pytest.mark.usefixtures("company")
def test_the_backtest_counts_what_each_version_would_have_done() -> None:
    result = backtest(2, now=NOW)
    assert result["version"]["number"] == 2
    assert result["compared_with"] == {
        "number": 1,
        "name": "Default lead contract",
        "status": "active",
    }
    assert result["window"] == {"start": NOW - 365 * DAY, "end": NOW}
    assert result["people"] == 6

    def picked(stats: dict[str, object]) -> tuple[object, ...]:
        keys = ("mqls", "accepted", "rejected", "won", "acceptance_rate", "win_rate")
        return tuple(stats[key] for key in keys)

    assert picked(result["active"]) == (2, 1, 1, 1, 0.5, 0.5)
    assert picked(result["proposed"]) == (3, 2, 1, 1, 0.6667, 0.3333)
    assert picked(result["history"]) == (4, 2, 2, 1, 0.5, 0.25)
    assert result["proposed"]["acceptance_rate_of_reviewed"] == 0.6667
    assert result["proposed"]["never_handed_over"] == 0
    assert result["overlap"] == {"both": 2, "only_proposed": 1, "only_active": 0}


@pytest.mark.usefixtures("company")
def test_the_command_prints_one_json_document_and_a_table() -> None:
    out = StringIO()
    call_command("contract", "backtest", "2", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["proposed"]["mqls"] >= data["active"]["mqls"]
    table = StringIO()
    call_command("contract", "backtest", "v2", stdout=table)
    lines = table.getvalue().splitlines()
    assert lines[0].startswith("Backtest of v2 against v1 (active)")
    assert any(line.startswith("acceptance rate") for line in lines)
