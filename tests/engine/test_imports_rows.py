"""Row validation: good rows become records, bad rows report every error and yield none.

Also: touch ids that make re-imports idempotent, and the error CSV round trip.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.imports.error_csv import ErrorCsvWriter
from revloop.engine.imports.errors import RowError
from revloop.engine.imports.formats import bind
from revloop.engine.imports.records import OpportunityRecord, PersonRecord, TouchRecord
from revloop.engine.imports.rows import (
    EVENT_ID_PREFIX,
    ImportOptions,
    RowFailure,
    RowValidator,
    read_records,
)
from revloop.engine.vocabulary import Channel, TouchType

TOUCH_HEADER = (
    "event_id,occurred_at,type,email,anonymous_id,channel,campaign,content,url,"
    "utm_source,utm_medium,utm_campaign"
)


def validator(entity: str, header: list[str], fmt: str = "generic") -> RowValidator:
    return RowValidator(bind(header, fmt, entity), ImportOptions())


def errors_of(result: object) -> list[tuple[str, str]]:
    assert isinstance(result, RowFailure), result
    return [(e.field, e.reason) for e in result.errors]


def test_a_person_needs_an_email() -> None:
    check = validator("people", ["email", "first_name"])
    assert errors_of(check.validate(2, ["", "Ada"])) == [("email", "missing")]
    assert errors_of(check.validate(3, ["ada-at-x", "Ada"])) == [("email", "no @")]


def test_every_bad_value_of_a_row_is_reported_in_column_order() -> None:
    header = ["Email", "Create Date", "Number of Employees", "Country/Region", "Lifecycle Stage"]
    check = validator("people", header, "hubspot")
    result = check.validate(7, ["bad", "31/31/2024", "lots", "Narnia", "Hot"])
    assert isinstance(result, RowFailure)
    assert [e.field for e in result.errors] == header
    assert all(e.row == 7 for e in result.errors)
    assert result.errors[0] == RowError(7, "Email", "bad", "no @")
    assert result.values["Number of Employees"] == "lots"


def test_wrong_types_are_errors_not_crashes() -> None:
    check = validator(
        "opportunities", ["name", "stage", "amount", "close_date", "created_at", "currency"]
    )
    result = check.validate(2, ["Deal", "won", "2024-01-01", "1200", "true", "dollars"])
    assert errors_of(result) == [
        ("amount", "not an amount (e.g. 1234.50 or $1,234.50)"),
        ("close_date", "not a date or time in a known format (e.g. 2024-03-05 14:02)"),
        ("created_at", "not a date or time in a known format (e.g. 2024-03-05 14:02)"),
        ("currency", "not a currency code (e.g. USD, EUR)"),
    ]


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("-5", "", "negative amount: an opportunity is worth 0 or more (a credit is not a deal)"),
        (
            "(1,200)",
            "",
            "negative amount: an opportunity is worth 0 or more (a credit is not a deal)",
        ),
        ("1.234", "", "more than two decimal places"),
        ("10000000000000", "", "more than 12 digits before the decimal point"),
        ("€5", "USD", "amount is in EUR but the currency column says USD"),
    ],
)
def test_opportunity_amount_rules(amount: str, currency: str, reason: str) -> None:
    check = validator("opportunities", ["name", "stage", "amount", "close_date", "currency"])
    result = check.validate(2, ["Deal", "won", amount, "2024-06-30", currency])
    assert ("amount", reason) in errors_of(result)


def test_amounts_keep_cents_and_take_the_currency_column() -> None:
    check = validator("opportunities", ["name", "stage", "amount", "close_date", "currency"])
    deal = check.validate(2, ["Deal", "Closed Won", "1,234.50", "2024-06-30", "gbp"])
    assert isinstance(deal, OpportunityRecord)
    assert (deal.amount, deal.currency) == (Decimal("1234.50"), "GBP")


def test_texts_longer_than_the_model_allows_are_errors() -> None:
    check = validator("people", ["email", "first_name", "phone"])
    result = check.validate(2, ["a@x.com", "A" * 101, "1" * 41])
    assert errors_of(result) == [
        ("first_name", "longer than 100 characters"),
        ("phone", "longer than 40 characters"),
    ]


def test_error_values_are_cut_to_a_preview() -> None:
    check = validator("people", ["email"])
    result = check.validate(2, ["x" * 5000])
    assert isinstance(result, RowFailure)
    assert len(result.errors[0].value) == 200
    assert result.values["email"] == "x" * 5000  # the error CSV still gets the whole cell


def test_consent_and_tier_take_common_spellings() -> None:
    person = validator("people", ["email", "consent"]).validate(2, ["a@x.com", "Opted In"])
    assert isinstance(person, PersonRecord)
    assert person.consent == "granted"
    account = validator("accounts", ["name", "tier", "domain"])
    assert errors_of(account.validate(2, ["Acme", "Tier 4", "not a domain!"])) == [
        ("tier", "unknown tier; use one of 1, 2, 3"),
        ("domain", "not a domain or website address"),
    ]


# -- touches -------------------------------------------------------------------------


def touches(tmp_path: Path, text: str) -> list[TouchRecord | RowFailure]:
    path = tmp_path / "touches.csv"
    path.write_text(text)
    with read_records(path, "touches") as stream:
        return list(stream)  # type: ignore[arg-type]


def test_touch_rows_become_touch_records(tmp_path: Path) -> None:
    text = (
        TOUCH_HEADER + "\n"
        "ev-1,2024-03-05T10:00:00+01:00,Page View,Jo@X.com,,Organic Search,Spring,,"
        "https://x.com/pricing,google,cpc,spring\n"
    )
    (touch,) = touches(tmp_path, text)
    assert isinstance(touch, TouchRecord)
    assert touch.event_id == "ev-1"
    assert not touch.event_id_derived
    assert touch.type is TouchType.PAGE_VIEW
    assert touch.channel is Channel.ORGANIC_SEARCH
    assert touch.occurred_at == datetime(2024, 3, 5, 9, tzinfo=UTC)
    assert (touch.email, touch.canonical_email) == ("jo@x.com", "jo@x.com")


def test_touch_errors(tmp_path: Path) -> None:
    text = (
        TOUCH_HEADER + "\n"
        ",2024-03-05,page_view,,,,,,,,,\n"
        ",,teleport,a@x.com,,carrier pigeon,,,,,,\n"
    )
    no_identity, bad = touches(tmp_path, text)
    assert errors_of(no_identity) == [("email", "a touch needs an email or an anonymous_id")]
    assert [field for field, _ in errors_of(bad)] == ["occurred_at", "type", "channel"]


def test_derived_event_ids_ignore_row_order_and_extra_columns(tmp_path: Path) -> None:
    rows = [
        ",2024-03-05T10:00:00Z,page_view,jo@x.com,,,,,https://x.com/a,,,",
        ",2024-03-05T10:00:00Z,page_view,,anon-1,,,,https://x.com/a,,,",
        ",2024-03-05 11:00:00+01:00,page_view,JO@X.COM,,,,,https://x.com/a,,,",
    ]
    first = touches(tmp_path, TOUCH_HEADER + "\n" + "\n".join(rows) + "\n")
    reordered_header = "extra," + TOUCH_HEADER
    second = touches(
        tmp_path,
        reordered_header + "\n" + "\n".join("note," + r for r in reversed(rows)) + "\n",
    )
    ids = [t.event_id for t in first if isinstance(t, TouchRecord)]
    again = [t.event_id for t in second if isinstance(t, TouchRecord)]
    assert all(i.startswith(EVENT_ID_PREFIX) and len(i) == 43 for i in ids)
    assert all(t.event_id_derived for t in first if isinstance(t, TouchRecord))
    # The same moment and person, however written, is the same touch.
    assert ids[0] == ids[2]
    assert ids[0] != ids[1]
    assert sorted(again) == sorted(ids)


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30))
def test_any_url_gives_a_stable_id(url: str) -> None:
    check = validator("touches", TOUCH_HEADER.split(","))
    row = ["", "2024-03-05T10:00:00Z", "page_view", "a@x.com", "", "", "", "", url, "", "", ""]
    first, second = check.validate(2, row), check.validate(9, row)
    if isinstance(first, TouchRecord):
        assert isinstance(second, TouchRecord)
        assert first.event_id == second.event_id
    else:
        assert errors_of(first) == [("url", "longer than 2000 characters")]


# -- hostile files and the error CSV ------------------------------------------------


def test_a_hostile_file_reports_each_bad_row_and_keeps_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    with path.open("wb") as handle:
        handle.write(b"\xef\xbb\xbfEmail;First Name;Create Date;Phone Number\r\n")
        handle.write(b"ok@x.com;Ok;2024-03-05 14:02;=cmd|' /C calc'!A0\r\n")
        handle.write(b";Missing;2024-03-05;\r\n")
        handle.write(b'big@x.com;"' + b"b" * (10 << 20) + b'";;\r\n')
        handle.write(b'bad@x.com;"Multi\r\nline";not a date;\r\n')
        handle.write(b"latin@x.com;Andr\xe9;;\r\n")
        handle.write(b"last@x.com;Last;05.03.2024;\r\n")
    with read_records(path, "people", format_name="hubspot") as stream:
        results = list(stream)
        assert stream.reader.delimiter == ";"
        assert stream.reader.progress() == 1.0
    good = [r for r in results if isinstance(r, PersonRecord)]
    bad = [r for r in results if isinstance(r, RowFailure)]
    assert [p.email for p in good] == ["ok@x.com", "last@x.com"]
    assert good[0].phone == "=cmd|' /C calc'!A0"  # stored as text; neutralised on export
    assert [(f.row, f.errors[0].field) for f in bad] == [
        (3, "Email"),
        (4, ""),
        (5, "Create Date"),
        (6, "First Name"),
    ]
    assert "over the limit" in bad[1].errors[0].reason
    assert "not valid utf-8" in bad[3].errors[0].reason


def test_the_error_csv_can_be_fixed_and_imported_again(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "Email,First Name,Phone Number,Lifecycle Stage\n"
        "good@x.com,Good,,Lead\n"
        'bad-email,=HYPERLINK("http://evil"),-42,Lead\n'
    )
    errors = tmp_path / "people.errors.csv"
    with read_records(source, "people") as stream, errors.open("w", newline="") as out:
        writer = ErrorCsvWriter(out, stream.header)
        for result in stream:
            if isinstance(result, RowFailure):
                writer.add(result)
    rows = list(csv.reader(io.StringIO(errors.read_text())))
    assert rows[0][-1] == "revloop_errors"
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'  # neutralised
    assert rows[1][2] == "-42"  # plain numbers stay numbers
    assert "row 3, Email: no @" in rows[1][-1]
    # The user fixes the email in a spreadsheet and imports the error file itself.
    errors.write_text(errors.read_text().replace("bad-email", "fixed@x.com"))
    with read_records(errors, "people") as stream:
        (fixed,) = list(stream)
    assert isinstance(fixed, PersonRecord)
    assert fixed.first_name == '=HYPERLINK("http://evil")'  # the quote prefix is undone
    assert fixed.phone == "-42"
    assert fixed.properties == {}  # the reasons column is not imported
