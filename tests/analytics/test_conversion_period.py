"""Revenue by content for the conversions of one period: a hand-computed company, and
a period holding everything gives the all-time answer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from revloop.engine.analytics import (
    JourneyQuery,
    Tables,
    attribute,
    content_effectiveness,
    resolve_period,
    rule_based,
    tables_from_arrow,
    totals,
)
from tests.analytics.demo_data import SOURCES, frames_from_rows

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
PACIFIC = ZoneInfo("America/Los_Angeles")


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def won(
    id_: int, person: int, amount: float, closed: datetime | None, close_date: date | None = None
) -> dict[str, object]:
    return {
        "id": id_,
        "primary_contact_id": person,
        "amount": amount,
        "stage": "won",
        "created_at": at(5, 1),
        "closed_at": closed,
        "close_date": close_date or (closed.date() if closed else None),
    }


@pytest.fixture(scope="module")
def company() -> Tables:
    """Person 1 read the guide and the webinar before deal 1 (1,000, Q3); person 2 the
    guide before deal 2 (600, closed on 1 Oct by date only: Q4); person 3 the webinar
    before deal 3 (300, 30 Jun 23:00 UTC: Q2); person 4 nothing before deal 5 (200,
    Q3); deal 6 (50) closed 1 Oct 03:00 UTC: Q4 in UTC, 30 Sep in California. Deal 4
    was lost."""
    touches = [
        (1, 1, at(7, 5), 1),
        (2, 1, at(7, 10), 2),
        (3, 2, at(9, 20), 1),
        (4, 3, at(6, 1), 2),
        (5, 6, at(9, 25), 2),
    ]
    return tables_from_arrow(
        frames_from_rows(
            {
                "activity_contentasset": [
                    {"id": 1, "title": "Guide", "kind": "pdf"},
                    {"id": 2, "title": "Webinar", "kind": "video"},
                ],
                "people_person": [
                    {"id": p, "stage": "customer", "created_at": at(1, 1)} for p in range(1, 7)
                ],
                "activity_touch": [
                    {
                        "id": i,
                        "person_id": p,
                        "occurred_at": t,
                        "content_id": c,
                        "channel": "web",
                        "type": "content_download",
                    }
                    for i, p, t, c in touches
                ],
                "pipeline_opportunity": [
                    won(1, 1, 1000.0, at(8, 15)),
                    won(2, 2, 600.0, None, date(2026, 10, 1)),
                    won(3, 3, 300.0, datetime(2026, 6, 30, 23, tzinfo=UTC)),
                    {**won(4, 1, 5000.0, at(8, 20)), "stage": "lost"},
                    won(5, 4, 200.0, at(9, 30)),
                    won(6, 6, 50.0, datetime(2026, 10, 1, 3, tzinfo=UTC)),
                ],
            }
        ),
        SOURCES,
    )


def revenue(company: Tables, period: object) -> dict[str, float]:
    query = JourneyQuery(outcome="revenue", level="content", lookback_days=90.0, period=period)  # type: ignore[arg-type]
    return rule_based(company, query, models=("linear",))["linear"].value_by_channel()


def test_last_quarters_revenue_by_content_equals_the_hand_computed_figures(
    company: Tables,
) -> None:
    q3 = resolve_period("last-quarter", NOW, UTC)
    assert revenue(company, q3) == {"Guide": 500.0, "Webinar": 500.0}
    report = content_effectiveness(company, lookback_days=90.0, period=q3)
    found = report.as_dict()
    assert (found["revenue_deals"], found["revenue_closed"]) == (2, 1200.0)
    assert found["revenue_with_content"] == 1000.0
    assert found["period"]["label"] == "Q3 2026"
    assert report.asset("Guide")["attributed_revenue"] == 500.0
    # Reach is all-time: the guide was read by two people whatever the period.
    assert report.asset("Guide")["people"] == 2


def test_the_company_zone_moves_a_close_near_midnight_but_not_a_close_date(
    company: Tables,
) -> None:
    q3 = resolve_period("last-quarter", NOW, PACIFIC)
    # Deal 6 closed on 30 Sep in California; deal 2's close date stays 1 Oct.
    assert revenue(company, q3) == {"Guide": 500.0, "Webinar": 550.0}
    q4 = resolve_period("this-quarter", NOW, PACIFIC)
    assert revenue(company, q4) == {"Guide": 600.0}
    q2 = resolve_period(None, NOW, PACIFIC, first_day=date(2026, 4, 1), last_day=date(2026, 6, 30))
    assert revenue(company, q2) == {"Webinar": 300.0}


def test_all_time_is_the_answer_without_a_period(company: Tables) -> None:
    assert revenue(company, None) == {"Guide": 1100.0, "Webinar": 850.0}
    everything = content_effectiveness(company, lookback_days=90.0).as_dict()
    assert (everything["revenue_closed"], everything["period"]) == (2150.0, None)


@pytest.mark.parametrize(("outcome", "model"), [("mql", "linear"), ("revenue", "markov")])
def test_a_period_holding_every_conversion_changes_nothing(
    demo_tables: Tables, outcome: str, model: str
) -> None:
    wide = resolve_period(None, NOW, UTC, first_day=date(1900, 1, 1), last_day=date(2200, 12, 31))
    plain = JourneyQuery(outcome=outcome, level="channel")  # type: ignore[arg-type]
    bounded = JourneyQuery(outcome=outcome, level="channel", period=wide)  # type: ignore[arg-type]
    ours = attribute(demo_tables, model, bounded)
    theirs = attribute(demo_tables, model, plain)
    assert ours.totals == theirs.totals
    assert ours.result.value_by_channel() == pytest.approx(theirs.result.value_by_channel())


def test_markov_leaves_out_journeys_converting_outside_the_period(demo_tables: Tables) -> None:
    q3 = resolve_period("last-quarter", NOW, UTC)
    plain = totals(demo_tables, JourneyQuery(outcome="revenue"))
    found = attribute(demo_tables, "markov", JourneyQuery(outcome="revenue", period=q3))
    assert 0 < found.totals.conversions < plain.conversions
    assert float(found.result.value.sum()) == pytest.approx(found.totals.attributed_value)
