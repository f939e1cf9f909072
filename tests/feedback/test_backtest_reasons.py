"""Sales' reject reasons flow into the contract backtest: rejections counted by reason code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from revloop.contracts.backtest import backtest
from revloop.contracts.versions import active_version
from revloop.people.models import Person
from tests import factories
from tests.contract_helpers import demo_request, ideal_person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def mql(email: str, days_ago: int) -> Person:
    person = ideal_person(email=email)
    demo_request(person, NOW - days_ago * DAY)
    return person


def moved(person: Person, source: str, target: str, days_ago: float, reason: str = "") -> None:
    factories.transition(
        person, from_stage=source, to_stage=target, at=NOW - days_ago * DAY, reason_code=reason
    )


def test_each_rejected_mql_counts_once_under_its_latest_reason() -> None:
    misled = mql("misled@acme.example", 50)
    moved(misled, "lead", "mql", 50)
    moved(misled, "mql", "recycled", 49, "misinformed")
    twice = mql("twice@acme.example", 40)
    moved(twice, "lead", "mql", 40)
    moved(twice, "mql", "recycled", 39, "no_budget")
    moved(twice, "recycled", "mql", 30)
    moved(twice, "mql", "recycled", 29, "misinformed")
    broke = mql("broke@acme.example", 35)
    moved(broke, "lead", "mql", 35)
    moved(broke, "mql", "recycled", 34, "no_budget")
    silent = mql("silent@acme.example", 33)
    moved(silent, "lead", "mql", 33)
    moved(silent, "mql", "disqualified", 32)
    later = mql("later@acme.example", 20)
    moved(later, "lead", "mql", 20)
    moved(later, "mql", "recycled", 19, "wrong_target")
    moved(later, "recycled", "mql", 10)
    moved(later, "mql", "sal", 9)  # accepted on the second round: not a rejection

    result = backtest(active_version().number, now=NOW)

    for stats in (result["active"], result["proposed"], result["history"]):
        assert stats["rejected"] == 4
        assert stats["rejected_by_reason"] == {
            "misinformed": 2,
            "no_budget": 1,
            "unspecified": 1,
        }
