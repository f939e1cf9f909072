"""With opportunities and no people, the funnel is the opportunities' own stages, not
a path of zeros."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from io import StringIO

import polars as pl
import pytest
from django.core.management import call_command
from django.test import Client

from revloop.engine.analytics import funnel, tables_from_arrow
from revloop.users.models import User
from tests import factories
from tests.analytics.demo_data import SOURCES


def us(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp()) * 1_000_000


DEALS = [
    # id, stage, source, created, closed (time, else date only)
    (1, "won", "Web", us(2026, 1, 1), us(2026, 1, 11), None),
    (2, "won", "Web", us(2026, 1, 1), None, date(2026, 1, 31)),
    (3, "lost", "Web", us(2026, 1, 1), us(2026, 1, 5), None),
    (4, "discovery", "Web", us(2026, 2, 1), None, None),
    (5, "negotiation", "", us(2026, 2, 1), None, None),
    (6, "lost", "Partner", us(2026, 2, 1), us(2026, 3, 1), None),
]


@pytest.fixture
def tables():  # type: ignore[no-untyped-def]
    frame = pl.DataFrame(
        {
            "id": [d[0] for d in DEALS],
            "account_id": [None] * len(DEALS),
            "primary_contact_id": [None] * len(DEALS),
            "amount": [100.0] * len(DEALS),
            "stage": [d[1] for d in DEALS],
            "close_date": [d[5] or date(2026, 12, 31) for d in DEALS],
            "owner_id": [None] * len(DEALS),
            "source": [d[2] for d in DEALS],
            "created_at": pl.Series([d[3] for d in DEALS]).cast(pl.Datetime("us", "UTC")),
            "closed_at": pl.Series([d[4] for d in DEALS], dtype=pl.Int64).cast(
                pl.Datetime("us", "UTC")
            ),
        },
        schema_overrides={
            "account_id": pl.Int64,
            "primary_contact_id": pl.Int64,
            "owner_id": pl.Int64,
        },
    )
    return tables_from_arrow({"pipeline_opportunity": frame}, SOURCES)


def test_one_step_opportunity_to_won_with_open_deals_not_lost(tables) -> None:  # type: ignore[no-untyped-def]
    report = funnel(tables)
    assert report.basis == "opportunities"
    step = report.step("opportunity", "won")
    assert (step["entered"], step["converted"], step["lost"], step["still_open"]) == (6, 2, 2, 2)
    assert step["conversion_rate"] == 0.5
    assert step["naive_rate"] == pytest.approx(2 / 6)
    # Won: 10 and 30 days (the close date stands in for a missing close time).
    assert step["days_to_convert_p50"] == pytest.approx(20.0)
    # Closed: 4, 10, 28, 30 days.
    assert step["days_in_stage_p50"] == pytest.approx(19.0)
    stages = {s["stage"]: s["opportunities"] for s in report.as_dict()["stages"]}
    assert list(stages) == ["discovery", "negotiation", "won", "lost"]
    assert stages == {"discovery": 1, "negotiation": 1, "won": 2, "lost": 2}


def test_sliced_by_source_and_seen_as_of_a_date(tables) -> None:  # type: ignore[no-untyped-def]
    by_source = funnel(tables, by="source")
    assert by_source.step("opportunity", "won", source="Web")["converted"] == 2
    assert by_source.step("opportunity", "won", source="(none)")["still_open"] == 1
    earlier = funnel(tables, as_of=datetime(2026, 1, 20, tzinfo=UTC))
    step = earlier.step("opportunity", "won")
    # Deal 2 closed on 01-31: open then; deals created in February did not exist.
    assert (step["entered"], step["converted"], step["lost"], step["still_open"]) == (3, 1, 1, 1)
    cohort = funnel(tables, cohort_from=date(2026, 2, 1))
    assert cohort.step("opportunity", "won")["entered"] == 3


# From the database: the command, the API and the Marketing page ---------------------


@pytest.fixture
def imported(db: None) -> None:
    """An opportunity export imported, and no people."""
    created = datetime(2026, 1, 1, tzinfo=UTC)
    for stage, source, days in (
        ("won", "Web", 10),
        ("won", "Web", 30),
        ("lost", "Partner", 4),
        ("proposal", "Web", None),
    ):
        closed = None if days is None else datetime(2026, 1, 1 + days, tzinfo=UTC)
        factories.opportunity(stage=stage, source=source, created_at=created, closed_at=closed)


def _steps(found: dict) -> list[tuple]:
    return [
        (s["from_stage"], s["to_stage"], s["entered"], s["converted"], s["lost"], s["still_open"])
        for s in found["steps"]
    ]


@pytest.mark.usefixtures("imported")
def test_command_and_api_show_the_opportunity_stages_not_zeros(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    out = StringIO()
    call_command("funnel", "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert found["basis"] == "opportunities"
    assert _steps(found) == [("opportunity", "won", 4, 2, 1, 1)]
    assert [(s["stage"], s["opportunities"]) for s in found["stages"]] == [
        ("proposal", 1),
        ("won", 2),
        ("lost", 1),
    ]
    body = token_client(marketer).get("/api/v1/analytics/funnel", {"by": "source"}).json()
    web = [s for s in body["steps"] if s["source"] == "Web"]
    assert _steps({"steps": web}) == [("opportunity", "won", 3, 2, 0, 1)]
    text = StringIO()
    call_command("funnel", stdout=text)
    assert "opportunity → won" in text.getvalue()
    assert "proposal 1, won 2, lost 1" in text.getvalue()


@pytest.mark.usefixtures("imported")
def test_the_marketing_page_draws_the_opportunity_funnel(marketer: User) -> None:
    client = Client()
    client.force_login(marketer)
    html = client.get("/marketing/").content.decode()
    assert 'data-basis="opportunities"' in html
    assert 'data-step="opportunity-won"' in html
    assert "proposal 1 · won 2 · lost 1" in html


def test_with_people_the_funnel_stays_the_lifecycle_path(db: None) -> None:
    factories.person(source="web")
    factories.opportunity(stage="won")
    out = StringIO()
    call_command("funnel", "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert found["basis"] == "people"
    assert found["steps"][0]["from_stage"] == "lead"
