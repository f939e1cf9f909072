"""Opportunities and leads by their own columns, from the database: fields and
imported columns by name, the alias map, the command's JSON and the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings

from revloop.core.errors import InvalidInputError
from revloop.pipeline.models import OpportunityContact
from revloop.pipeline.reports import leads_by, opportunities_by
from revloop.users.models import User
from tests import factories

CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _deal(source: str, stage: str, amount: str, days: int | None = None, **fields: object):
    closed = {} if days is None else {"closed_at": datetime(2026, 1, 5 + days, 9, 0, tzinfo=UTC)}
    return factories.opportunity(
        source=source, stage=stage, amount=Decimal(amount), created_at=CREATED, **closed, **fields
    )


@pytest.fixture
def deals(db: None, settings: Settings, tmp_path: Path) -> None:
    settings.REVLOOP_HOME = tmp_path
    _deal("Tradeshow", "won", "1200.50", 10, properties={"Region": "EMEA", "Type": "New"})
    _deal("Trade Show", "won", "800.00", 20, properties={"Region": "EMEA", "Type": "Renewal"})
    _deal("Tradeshow", "lost", "5000.00", 3, properties={"Region": "APAC"})
    _deal("Web", "won", "99.99", 4, properties={"region": "APAC"})
    _deal("Web", "negotiation", "700.00")
    _deal("", "lost", "10.00", 1)


def _rows(result: dict) -> dict[str, dict]:
    return {row["label"]: row for row in result["rows"]}


@pytest.mark.usefixtures("deals")
def test_by_lead_source_counts_rates_money_and_cycle() -> None:
    result = opportunities_by(["lead_source"])
    rows = _rows(result)
    assert list(rows) == ["Tradeshow", "Trade Show", "Web", "(blank)"]
    show = rows["Tradeshow"]
    assert (show["opportunities"], show["won"], show["lost"], show["open"]) == (2, 1, 1, 0)
    assert (show["win_rate"], show["win_rate_numerator"], show["win_rate_denominator"]) == (
        0.5,
        1,
        2,
    )
    assert show["revenue"] == Decimal("1200.50")
    assert show["currency"] == "USD"
    assert show["median_cycle_days"] == 10.0
    web = rows["Web"]
    assert (web["open"], web["win_rate"], web["average_deal"]) == (1, 1.0, Decimal("99.99"))
    assert result["columns"] == {"lead_source": "field source"}
    assert result["merge_proposals"][0]["variants"] == ["Trade Show"]


@pytest.mark.usefixtures("deals")
def test_imported_columns_by_any_spelling_of_their_name() -> None:
    result = opportunities_by(["REGION"])
    rows = _rows(result)
    # Both spellings of the imported key are read; the account has no region.
    assert {k: v["opportunities"] for k, v in rows.items()} == {
        "EMEA": 2,
        "APAC": 2,
        "(blank)": 2,
    }
    assert rows["EMEA"]["revenue"] == Decimal("2000.50")
    two = opportunities_by(["source", "type"])
    assert _rows(two)["Tradeshow / New"]["labels"] == {"source": "Tradeshow", "type": "New"}


@pytest.mark.usefixtures("deals")
def test_outcome_and_stage_are_columns_too() -> None:
    assert set(_rows(opportunities_by(["outcome"]))) == {"won", "lost", "open"}
    assert _rows(opportunities_by(["stage"]))["negotiation"]["open"] == 1


@pytest.mark.usefixtures("deals")
def test_an_unknown_column_is_refused_naming_the_choices() -> None:
    with pytest.raises(InvalidInputError, match=r"'Territory'.*Region.*source"):
        opportunities_by(["Territory"])


@pytest.mark.usefixtures("deals")
def test_the_stored_alias_map_merges_only_what_it_names(settings: Settings) -> None:
    (Path(settings.REVLOOP_HOME) / "aliases.yaml").write_text(
        "lead source:\n  Trade Show: Tradeshow\n", encoding="utf-8"
    )
    result = opportunities_by(["source"])
    show = _rows(result)["Tradeshow"]
    assert (show["opportunities"], show["won"], show["revenue"]) == (3, 2, Decimal("2000.50"))
    assert result["aliases_applied"] == {"source": {"Trade Show": "Tradeshow"}}
    assert result["merge_proposals"] == []
    assert result["aliases_file"].endswith("aliases.yaml")


@pytest.mark.usefixtures("deals")
def test_a_broken_alias_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("source:\n  Web: \n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"bad\.yaml.*empty"):
        opportunities_by(["source"], aliases_path=bad)


def test_no_opportunities_is_an_empty_report_not_an_error(db: None) -> None:
    result = opportunities_by(["source"])
    assert (result["rows"], result["totals"], result["merge_proposals"]) == ([], [], [])
    assert leads_by(["source"])["rows"] == []


def test_currencies_get_rows_of_their_own(db: None) -> None:
    _deal("Web", "won", "100", 1, currency="EUR")
    _deal("Web", "won", "100", 1, currency="USD")
    result = opportunities_by(["source"])
    assert sorted((r["currency"], r["revenue"]) for r in result["rows"]) == [
        ("EUR", Decimal(100)),
        ("USD", Decimal(100)),
    ]


def test_close_date_stands_in_when_the_close_time_is_missing(db: None) -> None:
    _deal("Web", "won", "1", close_date=date(2026, 1, 25))
    assert opportunities_by(["source"])["rows"][0]["median_cycle_days"] == pytest.approx(
        20 - 9 / 24
    )


# Leads ---------------------------------------------------------------------------


def test_leads_by_source_convert_once_per_person(db: None) -> None:
    ann = factories.person(source="email", properties={"Segment": "SMB"})
    bob = factories.person(source="email")
    factories.person(source="email")
    dee = factories.person(source="paid_search")
    factories.person(source="")
    _deal("", "won", "10", 1, primary_contact=ann)
    _deal("", "won", "10", 1, primary_contact=ann)
    lost = _deal("", "lost", "10", 1)
    OpportunityContact.objects.create(opportunity=lost, person=bob, role="champion")
    _deal("", "won", "10", 1, primary_contact=dee)
    rows = _rows(leads_by(["origin"]))
    email = rows["email"]
    assert (email["leads"], email["opportunities"], email["won"]) == (3, 2, 1)
    assert (email["conversion_rate_numerator"], email["conversion_rate_denominator"]) == (1, 3)
    assert rows["paid_search"]["conversion_rate"] == 1.0
    assert rows["(blank)"]["leads"] == 1
    assert _rows(leads_by(["segment"]))["SMB"]["won"] == 1


# The command --------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("deals")
def test_command_json_rows_carry_label_counts_rate_and_revenue() -> None:
    found = json.loads(_run("opportunities", "report", "--by", "source", "--json"))
    first = found["rows"][0]
    assert {"label", "opportunities", "won", "win_rate", "revenue"} <= set(first)
    assert (first["label"], first["revenue"], first["win_rate"]) == ("Tradeshow", "1200.50", 0.5)
    assert found["totals"][0]["opportunities"] == 6


@pytest.mark.usefixtures("deals")
def test_command_table_and_suggested_aliases_round_trip(tmp_path: Path) -> None:
    text = _run("opportunities", "report", "--by", "source")
    assert "Opportunities by source" in text
    assert "50.0% (1/2)" in text
    assert "revenue won (USD)" in text
    assert "--suggest-aliases" in text
    suggestion = _run("opportunities", "report", "--by", "source", "--suggest-aliases")
    proposed = json.loads(
        _run("opportunities", "report", "--by", "source", "--suggest-aliases", "--json")
    )
    assert proposed["aliases"] == {"source": {"Trade Show": "Tradeshow"}}
    assert proposed["merge_proposals"][0]["reasons"] == ["spelling"]
    saved = tmp_path / "mine.yaml"
    saved.write_text(suggestion, encoding="utf-8")
    merged = json.loads(
        _run("opportunities", "report", "--by", "source", "--aliases", str(saved), "--json")
    )
    assert merged["rows"][0]["label"] == "Tradeshow"
    assert merged["rows"][0]["opportunities"] == 3


@pytest.mark.usefixtures("deals")
def test_command_errors_are_one_line() -> None:
    with pytest.raises(CommandError, match="no field or imported column 'nope'"):
        _run("opportunities", "report", "--by", "nope")


def test_leads_command_json(db: None) -> None:
    factories.person(source="web")
    found = json.loads(_run("leads", "report", "--by", "source", "--json"))
    assert found["rows"][0]["label"] == "web"
    assert found["rows"][0]["conversion_rate"] == 0.0


# The API ----------------------------------------------------------------------------


@pytest.mark.usefixtures("deals")
def test_api_answers_readers_and_refuses_others(
    marketer: User, outsider: User, token_client: Callable[..., Client]
) -> None:
    body = token_client(marketer).get("/api/v1/analytics/opportunities", {"by": "source"}).json()
    assert body["rows"][0]["label"] == "Tradeshow"
    assert body["rows"][0]["win_rate_denominator"] == 2
    leads = token_client(marketer).get("/api/v1/analytics/leads", {"by": "source"})
    assert leads.status_code == 200
    refused = token_client(outsider).get("/api/v1/analytics/opportunities", {"by": "source"})
    assert refused.status_code == 403
    unknown = token_client(marketer).get("/api/v1/analytics/opportunities", {"by": "nope"})
    assert unknown.status_code == 400
    assert "'nope'" in unknown.json()["message"]


# A Salesforce export, imported as it comes, reported by its own columns ---------------

EXPORT_HEADER = (
    "Forecast Category,Close Date,Created Date,Region,Type,Lead Source,Stage,"
    "Opportunity ID (18 Digit),Amount"
)
EXPORT_ROWS = [
    (
        "Closed,1/15/2016,12/1/2015,EMEA,New Business,Tradeshow,Closed Won - Paid,"
        '001A0000006Vm9rIAC," $12,000.00 "'
    ),
    (
        "Closed,2/20/2016,1/1/2016,EMEA,Renewal,Trade Show,Closed Won - Not Paid,"
        '0061a00000XyZabAAC," $3,000.00 "'
    ),
    (
        "Omitted,2/29/2016,1/5/2016,AMER,Renewal,Advertising,Closed Lost - Not Renewing,"
        '0061a00000XyZacAAC," $-   "'
    ),
    (
        "Closed,3/3/2016,2/2/2016,AMER,New Business,Advertisement,Closed Won - Paid,"
        '0061a00000XyZadAAC,"$1,234.50"'
    ),
    'Closed,3/9/2016,2/8/2016,APAC,Upsell,,Closed Lost,0061a00000XyZaeAAC,"$500.00"',
]


def test_a_salesforce_export_by_lead_source_region_and_type(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    settings.REVLOOP_HOME = tmp_path
    export = tmp_path / "opportunities.csv"
    export.write_bytes(("\r".join([EXPORT_HEADER, *EXPORT_ROWS]) + "\r").encode())
    call_command("import", "opportunities", str(export), "--json", stdout=StringIO())

    proposed = json.loads(
        _run("opportunities", "report", "--by", "Lead Source", "--suggest-aliases", "--json")
    )
    # Equal counts: the first spelling alphabetically is proposed as the canonical one.
    assert proposed["aliases"] == {
        "Lead Source": {"Tradeshow": "Trade Show", "Advertising": "Advertisement"}
    }
    # The user prefers the other spelling for trade shows.
    (tmp_path / "aliases.yaml").write_text(
        "lead source:\n  Trade Show: Tradeshow\n  Advertising: Advertisement\n", encoding="utf-8"
    )
    by_source = json.loads(_run("opportunities", "report", "--by", "lead_source", "--json"))
    assert [
        (r["label"], r["opportunities"], r["won"], r["win_rate"], r["revenue"])
        for r in by_source["rows"]
    ] == [
        ("Tradeshow", 2, 2, 1.0, "15000.00"),
        ("Advertisement", 2, 1, 0.5, "1234.50"),
        ("(blank)", 1, 0, 0.0, "0.00"),
    ]
    # Cycles from the file's dates: 45 and 50 days for the two trade-show wins.
    assert by_source["rows"][0]["median_cycle_days"] == 47.5
    by_region = json.loads(
        _run("opportunities", "report", "--by", "region", "--by", "TYPE", "--json")
    )
    assert {r["label"]: r["won"] for r in by_region["rows"]} == {
        "EMEA / New Business": 1,
        "EMEA / Renewal": 1,
        "AMER / Renewal": 0,
        "AMER / New Business": 1,
        "APAC / Upsell": 0,
    }
