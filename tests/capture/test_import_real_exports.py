"""`revloop import` on exports as CRMs write them: stored with the file's own dates and ids.

Fixtures are small copies of real export shapes (see tests/engine/test_imports_real_exports
for the reading rules); here they go through the command and the database.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from revloop.capture.actions import do_import_file
from revloop.capture.importer import report_text
from revloop.engine.imports import ImportOptions
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity, OpportunityChange
from tests import factories
from tests.engine.test_imports_real_exports import salesforce_export


def _command(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_a_cr_only_salesforce_export_is_stored_with_its_own_dates(tmp_path: Path) -> None:
    summary = do_import_file("opportunities", salesforce_export(tmp_path))

    assert (summary.rows, summary.created, summary.error_rows, summary.warning_rows) == (3, 3, 0, 1)
    assert summary.file_notes == ["lines end in CR alone"]
    paid = Opportunity.objects.get(external_id="001A0000006Vm9rIAC")
    assert (paid.stage, paid.amount, paid.source) == ("won", Decimal("12000.00"), "Web")
    assert paid.close_date == date(2016, 1, 15)
    assert paid.closed_at == datetime(2016, 1, 15, tzinfo=UTC)
    assert paid.created_at == datetime(2015, 12, 1, tzinfo=UTC)
    assert paid.properties["Stage"] == "Closed Won - Paid"
    assert paid.properties["Billing Plan"] == "Annual"
    lost = Opportunity.objects.get(external_id="0061a00000XyZabAAC")
    assert (lost.stage, lost.amount, lost.close_date) == ("lost", Decimal(0), date(2016, 2, 29))
    assert lost.closed_at == datetime(2016, 2, 29, tzinfo=UTC)
    # The history starts when the opportunity was created, not when it was imported.
    (change,) = OpportunityChange.objects.filter(opportunity=paid)
    assert change.at == datetime(2015, 12, 1, tzinfo=UTC)
    assert summary.warnings == [
        {
            "row": 4,
            "field": "Close Date",
            "value": "2016-03-03, created 2016-03-10",
            "reason": "closes before it was created",
        }
    ]


@pytest.mark.django_db
def test_the_same_opportunities_in_15_character_ids_and_utf16_change_nothing(
    tmp_path: Path,
) -> None:
    do_import_file("opportunities", salesforce_export(tmp_path))
    again = tmp_path / "again.csv"
    again.write_bytes(
        (
            "Opportunity ID,Stage,Amount,Close Date,Created Date,Lead Source\r\n"
            '001A0000006Vm9r,Closed Won - Paid,"$12,000.00",1/15/2016,12/1/2015,Web\r\n'
        ).encode("utf-16")
    )

    summary = do_import_file("opportunities", again)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    assert summary.file_notes == ["read as UTF-16"]
    assert Opportunity.objects.count() == 3


@pytest.mark.django_db
def test_a_windows_1252_export_keeps_its_accents(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes("Email,First Name,Last Name\nzoe@x.example,Zoë,Brontë\n".encode("cp1252"))
    summary = do_import_file("people", path)
    assert (summary.created, summary.file_notes) == (1, ["read as cp1252"])
    assert Person.objects.get(email="zoe@x.example").last_name == "Brontë"


@pytest.mark.django_db
def test_unknown_stage_labels_are_reported_once_with_the_line_to_add(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    rows = "".join(f"D{n},Dormant,10,1/2/2024\n" for n in range(30))
    path.write_text("Opportunity ID,Stage,Amount,Close Date\n" + rows + "D99,Won,5,1/2/2024\n")

    code, text = _command("opportunities", str(path))

    assert code == 1
    assert text.count("Dormant") == 2  # the label once, its line once
    assert "30 rows skipped for 1 stage label revloop does not know:" in text
    assert "  Dormant: qualification   # one of: discovery, qualification" in text
    assert "Errors" not in text  # nothing else went wrong
    code, raw = _command("opportunities", str(path), "--json")
    report = json.loads(raw)
    assert (report["read"], report["stored"], report["updated"], report["skipped"]) == (
        31,
        0,
        0,
        30,
    )
    assert report["unchanged"] == 1
    (label,) = report["unknown_stages"]
    assert (label["label"], label["rows"], label["first_rows"][:2]) == ("Dormant", 30, [2, 3])

    mapping = tmp_path / "stages.yaml"
    mapping.write_text("opportunity_stage:\n" + label["line"] + "\n")
    code, raw = _command("opportunities", str(path), "--json", "--stage-mapping", str(mapping))
    assert code == 0
    assert json.loads(raw)["stored"] == 30
    assert Opportunity.objects.filter(stage="qualification").count() == 30


@pytest.mark.django_db
def test_mqls_without_emails_and_their_won_deals(tmp_path: Path) -> None:
    mqls = tmp_path / "mqls.csv"
    mqls.write_text(
        "mql_id,first_contact_date,landing_page_id,origin\n"
        "m1,2018-02-01,lp1,social\n"
        "m2,2018-02-03,lp2,paid_search\n"
        "m3,2018-02-04,lp2,\n"
    )
    deals = tmp_path / "closed.csv"
    deals.write_text(
        "mql_id,seller_id,won_date,business_segment,declared_monthly_revenue\n"
        "m1,s1,2018-02-26 19:58:54,pet,0.0\n"
        "m3,s3,2018-03-01 10:00:00,car_accessories,1500.0\n"
    )

    people = do_import_file("people", mqls, options=ImportOptions(default_stage="mql"))
    won = do_import_file(
        "opportunities",
        deals,
        options=ImportOptions(default_stage="won", columns={"amount": "declared_monthly_revenue"}),
    )

    assert (people.created, won.created, people.error_rows + won.error_rows) == (3, 2, 0)
    m1 = Person.objects.get(external_id="m1")
    assert (m1.email, m1.source, m1.stage) == ("", "social", "mql")
    assert m1.created_at == datetime(2018, 2, 1, tzinfo=UTC)
    assert str(m1) == "#m1"
    deal = Opportunity.objects.get(primary_contact=m1)
    assert (deal.stage, deal.amount, deal.source) == ("won", Decimal(0), "social")
    assert deal.closed_at == datetime(2018, 2, 26, 19, 58, 54, tzinfo=UTC)
    assert deal.properties == {"seller_id": "s1", "business_segment": "pet"}
    other = Opportunity.objects.get(primary_contact__external_id="m3")
    assert (other.amount, other.source) == (Decimal(1500), "")
    # Importing both files again finds the same people and deals.
    assert do_import_file("people", mqls, options=ImportOptions(default_stage="mql")).created == 0
    again = do_import_file(
        "opportunities",
        deals,
        options=ImportOptions(default_stage="won", columns={"amount": "declared_monthly_revenue"}),
    )
    assert (again.created, again.unchanged) == (0, 2)
    assert (Person.objects.count(), Opportunity.objects.count()) == (3, 2)


@pytest.mark.django_db
def test_a_person_known_by_id_takes_the_email_a_later_file_gives(tmp_path: Path) -> None:
    first = tmp_path / "mqls.csv"
    first.write_text("mql_id,origin\nm1,social\nm2,email\n")
    later = tmp_path / "contacts.csv"
    later.write_text("external_id,email,first_name\nm1,Ada@X.example,Ada\n")
    do_import_file("people", first)

    summary = do_import_file("people", later)

    assert (summary.created, summary.updated) == (0, 1)
    ada = Person.objects.get(external_id="m1")
    assert (ada.email, ada.first_name, ada.source) == ("ada@x.example", "Ada", "social")
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_an_account_name_that_matches_no_account_is_kept_under_its_header(
    tmp_path: Path,
) -> None:
    factories.account(name="Cancity", domain="cancity.example")
    path = tmp_path / "pipeline.csv"
    path.write_text(
        "opportunity_id,sales_agent,account,deal_stage,engage_date,close_date,close_value\n"
        "A1,Moses Frase,Cancity,Won,2016-10-20,2017-03-01,1054\n"
        "A2,Moses Frase,Zumzum,Lost,2016-10-20,2017-03-02,0\n"
        "A3,Anna Snelling,,Engaging,2016-10-21,,\n"
    )

    summary = do_import_file("opportunities", path)

    assert (summary.created, summary.warning_rows) == (3, 1)
    a1, a2, a3 = Opportunity.objects.order_by("external_id")
    assert a1.account is not None
    assert a1.account.name == "Cancity"
    assert "account" not in a1.properties
    assert (a2.account, a2.properties["account"]) == (None, "Zumzum")
    assert a3.properties == {"sales_agent": "Anna Snelling", "deal_stage": "Engaging"}
    assert (a3.stage, a3.closed_at, a3.amount) == ("qualification", None, Decimal(0))
    assert a3.created_at == datetime(2016, 10, 21, tzinfo=UTC)
    # Another day, the same file: what it did not say does not overwrite what is stored.
    Opportunity.objects.filter(pk=a3.pk).update(amount=900, close_date=date(2017, 6, 30))
    again = do_import_file("opportunities", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    a3.refresh_from_db()
    assert (a3.amount, a3.close_date) == (Decimal(900), date(2017, 6, 30))
    text = report_text(summary)
    assert "close_date: not in the file; the import date is used" in text or (
        "row 4, close_date: not in the file; the import date is used" in text
    )


@pytest.mark.django_db
def test_the_command_takes_columns_stage_and_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("deal;revenue;won on\nBig;1,250;05.03.2024\n", encoding="utf-8")

    code, raw = _command(
        "opportunities",
        str(path),
        "--json",
        "--stage",
        "won",
        "--decimal-comma",
        "--column",
        "name=deal",
        "--column",
        "amount=revenue",
        "--column",
        "close_date=won on",
    )

    assert code == 0, raw
    assert json.loads(raw)["stored"] == 1
    deal = Opportunity.objects.get()
    assert (deal.name, deal.amount, deal.close_date) == ("Big", Decimal("1.25"), date(2024, 3, 5))
    with pytest.raises(CommandError, match="the file has no column 'nope'"):
        _command("opportunities", str(path), "--column", "amount=nope", "--stage", "won")
