"""`revloop import`: CSV exports in, every bad row reported, nothing imported twice."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from revloop.activity.models import Touch
from revloop.capture import importer
from revloop.capture.actions import do_import_file, imports
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity, OpportunityChange
from revloop.users.models import User
from tests import factories

HUBSPOT_CONTACTS = (
    "Record ID,First Name,Last Name,Email,Company Name,Lifecycle Stage,Lead Status,Create Date,"
    "Original Source,Contact owner,Job Title,Country/Region,Favourite Colour\n"
    "101,Ada,Lovelace,Ada@Analytical.example,Analytical Engines,Marketing Qualified Lead,NEW,"
    "2026-01-05 10:00,ORGANIC_SEARCH,Rob Rep,CTO,United Kingdom,green\n"
    "102,Grace,Hopper,grace@navy.example,US Navy,Lead,,2026-01-06 11:30,PAID_SEARCH,,Admiral,US,\n"
    "103,Bad,Row,not-an-email,Nowhere,Lead,,2026-01-07,DIRECT,,,Atlantis,\"=cmd|' /C calc'!A0\"\n"
    "104,Ada,Again,ada@analytical.example,Analytical Engines,Lead,,2026-01-08,DIRECT,,,GB,\n"
)

SALESFORCE_OPPORTUNITIES = (
    "Opportunity ID,Opportunity Name,Stage,Amount,Close Date,Account Name,"
    "Opportunity Owner,Created Date\n"
    '006A,Analytical - Fleet,Prospecting,"$12,000.00",3/31/2026,Analytical Engines,'
    "Rob Rep,1/10/2026\n"
    "006B,Navy - Pilot,Closed Won,5000,2/28/2026,US Navy,,1/11/2026\n"
)

TOUCHES = (
    "occurred_at,type,email,channel,campaign,url\n"
    "2026-02-01T09:00:00+01:00,page_view,ada@analytical.example,organic_search,,https://x.example/pricing\n"
    "2026-02-01T09:05:00+01:00,form_submit,new.person@else.example,paid_search,Spring,https://x.example/demo\n"
    "2026-02-01T09:06:00+01:00,teleport,ada@analytical.example,,,\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def rob(make_user: object) -> User:
    return User.objects.create_user("rob", first_name="Rob", last_name="Rep")


@pytest.mark.django_db
def test_a_hubspot_contact_export_imports_and_reports_bad_rows(tmp_path: Path, rob: User) -> None:
    factories.account(name="Analytical Engines Ltd", domain="analytical.example")
    path = _write(tmp_path, "contacts.csv", HUBSPOT_CONTACTS)

    summary = do_import_file("people", path)

    assert summary.format == "hubspot"
    assert (summary.created, summary.merged_duplicates, summary.error_rows) == (2, 1, 1)
    ada = Person.objects.get(email="ada@analytical.example")
    assert (ada.first_name, ada.title, ada.country, ada.owner) == ("Ada", "CTO", "GB", rob)
    assert ada.account is not None
    assert ada.account.domain == "analytical.example"
    assert ada.properties["Favourite Colour"] == "green"
    assert ada.external_id in {"101", "104"}
    assert {e["row"] for e in summary.errors} == {4}
    assert {e["field"] for e in summary.errors} >= {"Email"}


@pytest.mark.django_db
def test_the_error_csv_is_safe_and_can_be_fixed_and_reimported(tmp_path: Path) -> None:
    path = _write(tmp_path, "contacts.csv", HUBSPOT_CONTACTS)
    summary = do_import_file("people", path)
    errors = Path(summary.error_csv or "")
    text = errors.read_text(encoding="utf-8")
    assert "'=cmd|" in text  # the formula is neutralised
    assert "\n=cmd" not in text
    assert ",=cmd" not in text
    rows = list(csv.DictReader(StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["revloop_errors"]

    rows[0]["Email"] = "fixed@nowhere.example"
    rows[0]["Country/Region"] = "GB"
    with errors.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    again = do_import_file("people", errors)
    assert (again.created, again.error_rows) == (1, 0)
    assert (
        Person.objects.get(email="fixed@nowhere.example").properties["Favourite Colour"]
        == "=cmd|' /C calc'!A0"
    )


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, "contacts.csv", HUBSPOT_CONTACTS)
    do_import_file("people", path)
    people = list(Person.objects.order_by("id").values())
    transitions = StageTransition.objects.count()

    second = do_import_file("people", path)

    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == 2
    assert list(Person.objects.order_by("id").values()) == people
    assert StageTransition.objects.count() == transitions


@pytest.mark.django_db
def test_strict_imports_nothing_when_a_row_is_bad(tmp_path: Path) -> None:
    summary = do_import_file(
        "people", _write(tmp_path, "contacts.csv", HUBSPOT_CONTACTS), strict=True
    )
    assert summary.error_rows == 1
    assert summary.committed is False
    assert summary.created == 2  # what would have happened
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_a_dry_run_counts_without_storing(tmp_path: Path) -> None:
    summary = do_import_file(
        "people", _write(tmp_path, "contacts.csv", HUBSPOT_CONTACTS), dry_run=True
    )
    assert (summary.created, summary.committed) == (2, False)
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_a_killed_import_rerun_ends_like_one_clean_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["occurred_at,type,email,channel"]
    lines += [
        f"2026-02-01T09:{m:02d}:00+00:00,page_view,p{m % 7}@acme.example,email" for m in range(60)
    ]
    path = _write(tmp_path, "touches.csv", "\n".join(lines) + "\n")
    monkeypatch.setattr(importer, "BATCH_SIZE", 10)
    real_write = imports._TouchWriter.write
    calls = {"n": 0}

    def dies_on_the_fourth_batch(self: imports._TouchWriter, records: list[object]) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        real_write(self, records)  # type: ignore[arg-type]

    monkeypatch.setattr(imports._TouchWriter, "write", dies_on_the_fourth_batch)
    with pytest.raises(KeyboardInterrupt):
        do_import_file("touches", path)
    assert Touch.objects.count() == 30

    monkeypatch.setattr(imports._TouchWriter, "write", real_write)
    rerun = do_import_file("touches", path)
    assert (rerun.created, rerun.unchanged) == (30, 30)
    interrupted_state = sorted(
        Touch.objects.values_list("event_id", "person__email", "occurred_at")
    )

    Touch.objects.all().delete()
    clean = do_import_file("touches", path)
    assert clean.created == 60
    assert (
        sorted(Touch.objects.values_list("event_id", "person__email", "occurred_at"))
        == interrupted_state
    )
    assert Person.objects.count() == 7


@pytest.mark.django_db
def test_touches_create_people_and_reject_bad_types(tmp_path: Path) -> None:
    summary = do_import_file("touches", _write(tmp_path, "touches.csv", TOUCHES))
    assert (summary.created, summary.error_rows) == (2, 1)
    assert summary.errors[0]["field"] == "type"
    assert Person.objects.filter(email="new.person@else.example").exists()
    assert do_import_file("touches", _write(tmp_path, "touches.csv", TOUCHES)).unchanged == 2


@pytest.mark.django_db
def test_a_salesforce_opportunity_export_records_its_history(tmp_path: Path, rob: User) -> None:
    engines = factories.account(name="Analytical Engines")
    path = _write(tmp_path, "opps.csv", SALESFORCE_OPPORTUNITIES)
    first = do_import_file("opportunities", path)
    assert (first.format, first.created, first.error_rows) == ("salesforce", 2, 0)
    fleet = Opportunity.objects.get(external_id="006A")
    assert (fleet.account, fleet.owner, str(fleet.amount), fleet.stage) == (
        engines,
        rob,
        "12000.00",
        "discovery",
    )
    won = Opportunity.objects.get(external_id="006B")
    assert won.stage == "won"
    assert won.closed_at is not None

    moved = SALESFORCE_OPPORTUNITIES.replace('"$12,000.00",3/31/2026', '"$15,000.00",4/30/2026')
    second = do_import_file("opportunities", _write(tmp_path, "opps.csv", moved))
    assert (second.updated, second.unchanged) == (1, 1)
    changes = set(
        OpportunityChange.objects.filter(opportunity=fleet).values_list(
            "field", "old_value", "new_value"
        )
    )
    assert ("amount", "12000.00", "15000.00") in changes
    assert ("close_date", "2026-03-31", "2026-04-30") in changes


@pytest.mark.django_db
def test_the_command_prints_json_and_exits_1_on_bad_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "contacts.csv", HUBSPOT_CONTACTS)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "people", str(path), "--json", stdout=out)
    assert exit_info.value.code == 1
    report = json.loads(out.getvalue())
    assert set(report) >= {
        "created",
        "updated",
        "unchanged",
        "merged_duplicates",
        "errors",
        "seconds",
    }
    assert report["created"] == 2


@pytest.mark.django_db
def test_the_command_refuses_a_missing_file_and_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "people", str(tmp_path / "nope.csv"))
    weird = _write(tmp_path, "weird.csv", "colour,size\nred,9\n")
    with pytest.raises(CommandError):
        call_command("import", "people", str(weird))


@pytest.mark.django_db
def test_an_account_twice_in_one_file_is_one_account_with_both_rows_applied(tmp_path: Path) -> None:
    factories.account(name="Globex", domain="globex.example", industry="")
    text = (
        "name,domain,industry,country\n"
        "Globex,globex.example,Logistics,\n"
        "Globex,globex.example,,DE\n"
        "Initech,initech.example,Software,US\n"
        "Initech,initech.example,,US\n"
    )
    summary = do_import_file("accounts", _write(tmp_path, "accounts.csv", text))
    assert (summary.created, summary.updated, summary.merged_duplicates) == (1, 1, 2)
    globex = Account.objects.get(domain="globex.example")
    assert (globex.industry, globex.country) == ("Logistics", "DE")
    assert Account.objects.filter(domain="initech.example").count() == 1
    again = do_import_file("accounts", _write(tmp_path, "accounts.csv", text))
    assert (again.created, again.updated) == (0, 0)
