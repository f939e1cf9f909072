"""Real CRM exports read as they come: line endings, encodings, id and stage variants, money.

The Salesforce fixture is shaped like a real opportunity report export: CR-only line
breaks, "Opportunity ID (18 Digit)", no Opportunity Name, accounting zeros, stage labels
such as "Closed Won - Paid", and the dates the deals really closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.imports import OpportunityRecord, PersonRecord, RowFailure, read_records
from revloop.engine.imports.errors import RowError
from revloop.engine.imports.report import StageLabels
from revloop.engine.imports.rows import ImportOptions
from revloop.engine.imports.stages import default_stage_mapping, stage_by_meaning
from revloop.engine.imports.values import BadValue, parse_amount, parse_flag, salesforce_id_18
from revloop.engine.vocabulary import OpportunityStage as O

SALESFORCE_HEADER = (
    "Forecast Category,Close Date,Created Date,Region,Type,Lead Source,Stage,Billing Plan,"
    "Opportunity ID (18 Digit),ACV,Discount Amount,Amount,Net Amount"
)
SALESFORCE_ROWS = [
    (
        "Closed,1/15/2016,12/1/2015,EMEA,New Business,Web,Closed Won - Paid,Annual,"
        '001A0000006Vm9rIAC," $12,000.00 "," $-   "," $12,000.00 "," $12,000.00 "'
    ),
    (
        "Omitted,2/29/2016,1/5/2016,AMER,Renewal,Partner,Closed Lost - Not Renewing,Monthly,"
        '0061a00000XyZabAAC," $3,400.00 "," $(200.00)"," $-   "," $-   "'
    ),
    (
        "Closed,3/3/2016,3/10/2016,APAC,Upsell,Trade Show,Closed Won - Not Paid,Annual,"
        '0061a00000XyZacAAC,"$1,234.50",,"$1,234.50","$1,234.50"'
    ),
]


def salesforce_export(tmp_path: Path, *, newline: str = "\r", encoding: str = "utf-8") -> Path:
    path = tmp_path / "opportunities.csv"
    text = newline.join([SALESFORCE_HEADER, *SALESFORCE_ROWS]) + newline
    path.write_bytes(text.encode(encoding))
    return path


def read_all(path: Path, entity: str, **options: object) -> tuple[str, list[object]]:
    with read_records(path, entity, options=ImportOptions(**options)) as stream:  # type: ignore[arg-type]
        return stream.format, list(stream)


def test_a_cr_only_salesforce_opportunity_export_reads_as_it_comes(tmp_path: Path) -> None:
    fmt, (paid, not_renewing, unpaid) = read_all(salesforce_export(tmp_path), "opportunities")
    assert fmt == "salesforce"
    assert isinstance(paid, OpportunityRecord)
    assert (paid.row, paid.external_id, paid.stage) == (2, "001A0000006Vm9rIAC", O.WON)
    assert paid.name == "Opportunity 001A0000006Vm9rIAC"  # derived: the file has no names
    assert (paid.amount, paid.currency, paid.source) == (Decimal("12000.00"), "USD", "Web")
    # The dates are the file's: the close, the moment it closed, the creation.
    assert paid.close_date == date(2016, 1, 15)
    assert paid.closed_at == datetime(2016, 1, 15, tzinfo=UTC)
    assert paid.created_at == datetime(2015, 12, 1, tzinfo=UTC)
    assert paid.properties == {
        "Forecast Category": "Closed",
        "Region": "EMEA",
        "Type": "New Business",
        "Stage": "Closed Won - Paid",
        "Billing Plan": "Annual",
        "ACV": "$12,000.00",
        "Discount Amount": "$-",
        "Net Amount": "$12,000.00",
    }
    assert paid.warnings == ()
    assert isinstance(not_renewing, OpportunityRecord)
    assert (not_renewing.stage, not_renewing.amount) == (O.LOST, Decimal(0))  # " $-   "
    assert not_renewing.close_date == date(2016, 2, 29)
    assert isinstance(unpaid, OpportunityRecord)
    assert unpaid.stage is O.WON
    assert unpaid.properties["Stage"] == "Closed Won - Not Paid"
    # Closing before creation is worth a warning, not a rejection.
    assert unpaid.warnings == (
        RowError(4, "Close Date", "2016-03-03, created 2016-03-10", "closes before it was created"),
    )


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_the_same_export_reads_the_same_in_any_encoding_and_line_ending(
    tmp_path: Path, newline: str, encoding: str
) -> None:
    _, expected = read_all(salesforce_export(tmp_path, newline="\n"), "opportunities")
    _, found = read_all(
        salesforce_export(tmp_path, newline=newline, encoding=encoding), "opportunities"
    )
    assert found == expected


def test_non_ascii_text_survives_utf16_and_windows_1252(tmp_path: Path) -> None:
    text = "Email,First Name,Company\r\nzoe@x.example,Zoë,Café \u2013 Bäckerei GmbH\r\n"
    for encoding in ("utf-16", "cp1252"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        _, (zoe,) = read_all(path, "people")
        assert isinstance(zoe, PersonRecord)
        assert (zoe.first_name, zoe.company) == ("Zoë", "Café \u2013 Bäckerei GmbH")


def test_a_15_character_salesforce_id_is_stored_in_its_18_character_form(tmp_path: Path) -> None:
    path = tmp_path / "fifteen.csv"
    path.write_text(
        "Opportunity ID,Stage,Amount,Close Date\n001A0000006Vm9r,Closed Won,10,1/15/2016\n"
    )
    _, (deal,) = read_all(path, "opportunities")
    assert isinstance(deal, OpportunityRecord)
    assert deal.external_id == "001A0000006Vm9rIAC"


@given(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        min_size=15,
        max_size=15,
    )
)
def test_18_character_ids_tell_apart_what_case_alone_told_apart(text: str) -> None:
    long_ = salesforce_id_18(text)
    assert long_[:15] == text
    assert len(long_) == 18
    swapped = text.swapcase()
    if swapped.casefold() == text.casefold() and swapped != text:
        assert salesforce_id_18(swapped).casefold() != long_.casefold()


@pytest.mark.parametrize(
    ("label", "stage"),
    [
        ("Closed Won - Paid", O.WON),
        ("Closed Won - Not Paid", O.WON),
        ("Closed Lost - Not Renewing", O.LOST),
        ("Won", O.WON),
        ("Lost", O.LOST),
        ("Engaging", O.QUALIFICATION),
        ("Prospecting", O.DISCOVERY),
        ("closedwon", O.WON),
    ],
)
def test_stage_labels_are_placed_by_meaning(label: str, stage: O) -> None:
    assert default_stage_mapping().opportunity(label) == stage


def test_a_label_that_says_both_or_neither_is_not_guessed() -> None:
    assert stage_by_meaning("Won or Lost?") is None
    assert stage_by_meaning("Wonderful") is None
    with pytest.raises(BadValue, match="unknown opportunity stage 'Dormant'"):
        default_stage_mapping().opportunity("Dormant")


@pytest.mark.parametrize(
    ("won", "closed", "label", "stage"),
    [
        ("1", "1", "Signed", O.WON),
        ("0", "1", "Signed", O.LOST),
        ("false", "true", "Closed Won", O.LOST),  # the CRM's verdict beats the label
        ("0", "0", "Proposal/Price Quote", O.PROPOSAL),
        ("TRUE", "", "Anything", O.WON),
    ],
)
def test_is_won_and_is_closed_decide_the_outcome(
    tmp_path: Path, won: str, closed: str, label: str, stage: O
) -> None:
    path = tmp_path / "flags.csv"
    path.write_text(f"Stage,Won,Closed,Amount,Close Date\n{label},{won},{closed},5,1/2/2024\n")
    _, (deal,) = read_all(path, "opportunities")
    assert isinstance(deal, OpportunityRecord)
    assert deal.stage is stage


def test_flags_and_labels_that_disagree_are_errors_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "flags.csv"
    path.write_text(
        "Stage,Closed,Amount,Close Date\nClosed Won,0,5,1/2/2024\nNegotiation,1,5,1/2/2024\n"
    )
    _, (open_but_won, closed_but_open) = read_all(path, "opportunities")
    assert isinstance(open_but_won, RowFailure)
    assert [(e.field, e.reason) for e in open_but_won.errors] == [
        ("Stage", "says won, but the Closed column says open")
    ]
    assert isinstance(closed_but_open, RowFailure)
    assert [(e.field, e.reason) for e in closed_but_open.errors] == [
        ("Stage", "the Closed column says closed, but the label is not won or lost")
    ]


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        (" $-   ", Decimal(0), "USD"),
        ("$ -", Decimal(0), "USD"),
        ("-", Decimal(0), "USD"),
        ("€ \u2013", Decimal(0), "EUR"),  # an en dash
        ("$1,234.50", Decimal("1234.50"), "USD"),
        ("€1.234,50", Decimal("1234.50"), "EUR"),
        ("1.234,50 €", Decimal("1234.50"), "EUR"),
        ("(1,200)", Decimal(-1200), "USD"),
    ],
)
def test_accounting_and_currency_amounts(text: str, amount: Decimal, currency: str) -> None:
    assert parse_amount(text) == (amount, currency)


def test_the_decimal_comma_option_reads_the_one_ambiguous_case() -> None:
    assert parse_amount("1,234")[0] == Decimal(1234)
    assert parse_amount("1,234", decimal_separator=",")[0] == Decimal("1.234")


def test_a_negative_amount_is_a_row_error_that_says_why(tmp_path: Path) -> None:
    path = tmp_path / "neg.csv"
    path.write_text('name,stage,amount,close_date\nRefund,won,"(1,200)",2024-01-02\n')
    _, (bad,) = read_all(path, "opportunities")
    assert isinstance(bad, RowFailure)
    assert bad.errors[0].field == "amount"
    assert bad.errors[0].reason.startswith("negative amount")


def test_flags_read_as_exports_write_them() -> None:
    assert [parse_flag(v) for v in ("1", "true", "Yes", " X ", "0", "FALSE", "no")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(BadValue):
        parse_flag("maybe")


def test_open_deals_without_dates_or_amounts_are_kept_with_warnings(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.csv"
    path.write_text(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "A1,Moses Frase,GTX Basic,,Prospecting,,,\n"
        "A2,Moses Frase,GTX Basic,Cancity,Won,2016-10-20,2017-03-01,1054\n"
        "A3,Moses Frase,GTX Basic,Cancity,Lost,2016-10-20,,0\n"
    )
    fmt, (open_, won, lost) = read_all(path, "opportunities")
    assert fmt == "generic"
    assert isinstance(open_, OpportunityRecord)
    assert (open_.stage, open_.amount, open_.close_date, open_.created_at) == (
        O.DISCOVERY,
        Decimal(0),
        None,
        None,
    )
    assert [(w.field, w.reason) for w in open_.warnings] == [
        ("close_value", "not in the file; stored as 0"),
        ("close_date", "not in the file; the import date is used"),
    ]
    assert open_.properties == {
        "sales_agent": "Moses Frase",
        "product": "GTX Basic",
        "deal_stage": "Prospecting",
    }
    assert isinstance(won, OpportunityRecord)
    assert (won.name, won.account_name, won.account_name_column) == (
        "Cancity 2017-03-01",
        "Cancity",
        "account",
    )
    assert won.created_at == datetime(2016, 10, 20, tzinfo=UTC)
    assert isinstance(lost, RowFailure)  # a closed deal must say when it closed
    assert [(e.field, e.reason) for e in lost.errors] == [
        ("close_date", "missing: a lost opportunity needs its close date")
    ]


def test_people_without_emails_are_known_by_their_external_id(tmp_path: Path) -> None:
    path = tmp_path / "mqls.csv"
    path.write_text(
        "mql_id,first_contact_date,landing_page_id,origin\n"
        "m1,2018-02-01,lp9,social\n"
        ",2018-02-02,lp9,social\n"
    )
    _, (m1, nobody) = read_all(path, "people", default_stage="mql")
    assert isinstance(m1, PersonRecord)
    assert (m1.email, m1.external_id, m1.identity_key, m1.source) == ("", "m1", "id:m1", "social")
    assert m1.created_at == datetime(2018, 2, 1, tzinfo=UTC)
    assert m1.stage is not None
    assert m1.stage.value == "mql"
    assert m1.properties == {"landing_page_id": "lp9"}
    assert isinstance(nobody, RowFailure)
    assert nobody.errors[0].field == "email"


def test_a_file_of_won_deals_links_each_to_its_person(tmp_path: Path) -> None:
    path = tmp_path / "closed.csv"
    path.write_text(
        "mql_id,seller_id,won_date,business_segment,declared_monthly_revenue\n"
        "m1,s1,2018-02-26 19:58:54,pet,0.0\n"
    )
    options = ImportOptions(default_stage="won", columns={"amount": "declared_monthly_revenue"})
    with read_records(path, "opportunities", options=options) as stream:
        (deal,) = list(stream)
    assert isinstance(deal, OpportunityRecord)
    assert (deal.stage, deal.amount, deal.contact_external_id) == (O.WON, Decimal(0), "m1")
    assert deal.close_date == date(2018, 2, 26)
    assert deal.closed_at == datetime(2018, 2, 26, 19, 58, 54, tzinfo=UTC)
    assert deal.name == "Opportunity of m1 2018-02-26"
    assert deal.properties == {"seller_id": "s1", "business_segment": "pet"}


def test_unknown_stage_labels_make_one_message_with_the_lines_to_add() -> None:
    labels = StageLabels()
    reason = "unknown opportunity stage …"
    for row in (3, 5, 9):
        labels.add(RowError(row, "Stage", "Dormant", reason, "unknown_stage"))
    labels.add(RowError(4, "Stage", "Closed: Pending", reason, "unknown_stage"))
    message = labels.message()
    assert message.splitlines()[0] == "4 rows skipped for 2 stage labels revloop does not know:"
    assert "'Dormant': 3 rows (rows 3, 5, 9)" in message
    assert "--stage-mapping stages.yaml" in message
    assert "opportunity_stage:\n  Dormant: qualification   # one of: discovery," in message
    assert "  'Closed: Pending': qualification" in message  # quoted: valid YAML
    assert [entry["rows"] for entry in labels.as_list()] == [3, 1]


def test_ids_and_derived_names_fit_the_stored_fields(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "opportunity_id,account,deal_stage,close_date,close_value\n"
        f"{'x' * 101},Acme,Won,2017-03-01,5\n"
        f"ok,{'A' * 250},Won,2017-03-01,5\n"
    )
    _, (too_long, long_account) = read_all(path, "opportunities")
    assert isinstance(too_long, RowFailure)
    assert [(e.field, e.reason) for e in too_long.errors] == [
        ("opportunity_id", "longer than 100 characters")
    ]
    assert isinstance(long_account, OpportunityRecord)
    assert long_account.name == "A" * 250 + " 2017"  # the date cut to fit 255


def test_a_salesforce_report_footer_is_not_data(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    footer = [
        '""',
        '"Grand Totals (3 records)"',
        '""',
        '"Confidential Information - Do Not Distribute"',
        '"Copyright (c) 2000-2016 salesforce.com, inc. All rights reserved."',
    ]
    path.write_bytes("\r".join([SALESFORCE_HEADER, *SALESFORCE_ROWS, *footer, ""]).encode())
    with read_records(path, "opportunities") as stream:
        found = list(stream)
        assert stream.reader.footer_rows == 5
    assert [type(r) for r in found] == [OpportunityRecord] * 3
