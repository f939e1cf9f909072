"""HubSpot and Salesforce exports, read by their own column headers.

The sample files are written here as those systems export them (header names, quoting,
date and number styles); each reads into typed records with nothing dropped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from revloop.engine.imports.formats import Entity, FormatError, bind, detect_format
from revloop.engine.imports.records import (
    AccountRecord,
    OpportunityRecord,
    PersonRecord,
    Record,
)
from revloop.engine.imports.rows import ImportOptions, RowFailure, read_records
from revloop.engine.vocabulary import LifecycleStage, OpportunityStage

NEW_YORK = ZoneInfo("America/New_York")

HUBSPOT_CONTACTS = """\ufeff"Record ID","First Name","Last Name","Email","Company Name",\
"Lifecycle Stage","Lead Status","Create Date","Original Source","Contact owner","Job Title",\
"Country/Region","Industry","Number of Employees","Phone Number","Marketing contact status"
"51","Ada","Lovelace","Ada.Lovelace@Analytical.io","Analytical Engines, Inc.",\
"Marketing Qualified Lead","In Progress","2024-03-05 14:02","Organic Search","Rob Rep",\
"CTO","United Kingdom","Computer Software","1,200","+44 20 7946 0000","Marketing contact"
"52","Grace","Hopper","grace@navy.mil","US Navy","Customer","","2023-11-30 08:15",\
"Offline Sources","","Rear Admiral","United States","Government","","",""
"""

HUBSPOT_COMPANIES = """Record ID,Company name,Company Domain Name,Industry,Number of Employees,\
Country/Region,Company owner,Create Date,Website URL,Annual Revenue
901,Analytical Engines Inc.,analytical.io,Computer Software,1200,United Kingdom,Rob Rep,\
2024-01-02 09:00,https://www.analytical.io/,5000000
902,Difference Co,,Machinery,51-200,Germany,,2024-01-03 10:00,http://difference.de,
"""

HUBSPOT_DEALS = """Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,\
Associated Company,Pipeline
7001,Engines - Enterprise,Contract Sent,120000,2024-06-30,2024-03-10 11:00,Rob Rep,\
Analytical Engines Inc.,Sales Pipeline
7002,Engines - Renewal,Closed Won,"45,500.50",2024-04-01 00:00,2024-02-01 09:30,Rob Rep,\
Analytical Engines Inc.,Renewals
"""

SALESFORCE_LEADS = """"Lead ID","First Name","Last Name","Email","Company","Title","Lead Source",\
"Lead Status","Industry","No. of Employees","Country","Created Date","Lead Owner","Rating"
"00Q5e000001AbCd","Alan","Turing","alan@bletchley.co.uk","Bletchley Park Ltd","Researcher",\
"Web","Working - Contacted","Government","250","UK","3/5/2024 2:02 PM","Sally Sales","Hot"
"00Q5e000001AbCe","Tommy","Flowers","tommy.flowers+gpo@gmail.com","GPO","Engineer",\
"Trade Show","Closed - Not Converted","Telecommunications","","United Kingdom","3/6/2024 9:15 AM",\
"Sally Sales",""
"""

SALESFORCE_CONTACTS = """"Contact ID","Account ID","First Name","Last Name","Email",\
"Account Name","Title","Lead Source","Mailing Country","Created Date","Contact Owner"
"0035e00000AbCdE","0015e00000XyZ","Joan","Clarke","joan@bletchley.co.uk","Bletchley Park Ltd",\
"Cryptanalyst","Partner Referral","United Kingdom","1/15/2024 10:00 AM","Sally Sales"
"""

SALESFORCE_ACCOUNTS = """"Account ID","Account Name","Website","Industry","Employees",\
"Billing Country","Account Owner","Type"
"0015e00000XyZ","Bletchley Park Ltd","www.bletchley.co.uk","Government","250","UK",\
"Sally Sales","Customer"
"""

SALESFORCE_OPPORTUNITIES = """"Opportunity ID","Opportunity Name","Stage","Amount",\
"Opportunity Currency","Close Date","Account Name","Opportunity Owner","Lead Source",\
"Created Date","Probability (%)"
"0065e00000Opp1","Bombe upgrade","Proposal/Price Quote","EUR 1.234.567,89","EUR","6/30/2024",\
"Bletchley Park Ltd","Sally Sales","Web","3/1/2024 9:00 AM","75"
"0065e00000Opp2","Colossus","Closed Won","$250,000.00","USD","12/20/2024",\
"Bletchley Park Ltd","Sally Sales","","3/2/2024 9:00 AM","100"
"""


def read(tmp_path: Path, text: str, entity: str, fmt: str = "auto") -> tuple[str, list[Record]]:
    path = tmp_path / f"{entity}.csv"
    path.write_text(text, encoding="utf-8", newline="")
    options = ImportOptions(default_tz=NEW_YORK)
    with read_records(path, entity, format_name=fmt, options=options) as stream:
        results = list(stream)
        chosen = stream.format
    failures = [r for r in results if isinstance(r, RowFailure)]
    assert failures == []
    return chosen, [r for r in results if not isinstance(r, RowFailure)]


def test_hubspot_contacts(tmp_path: Path) -> None:
    fmt, (ada, grace) = read(tmp_path, HUBSPOT_CONTACTS, "people")
    assert fmt == "hubspot"
    assert isinstance(ada, PersonRecord)
    assert ada.row == 2
    assert ada.external_id == "51"
    assert ada.email == ada.canonical_email == "ada.lovelace@analytical.io"
    assert (ada.first_name, ada.last_name, ada.title) == ("Ada", "Lovelace", "CTO")
    assert ada.company == "Analytical Engines, Inc."
    assert ada.stage is LifecycleStage.SAL  # MQL + "In Progress"
    assert ada.created_at == datetime(2024, 3, 5, 14, 2, tzinfo=NEW_YORK)
    assert (ada.country, ada.employee_count, ada.source) == ("GB", 1200, "Organic Search")
    assert ada.phone == "+44 20 7946 0000"
    assert ada.owner == "Rob Rep"
    assert ada.properties == {
        "Marketing contact status": "Marketing contact",
        "lead_status": "In Progress",
    }
    assert isinstance(grace, PersonRecord)
    assert grace.stage is LifecycleStage.CUSTOMER
    assert grace.employee_count is None


def test_hubspot_companies_keep_the_second_domain_column(tmp_path: Path) -> None:
    fmt, (engines, difference) = read(tmp_path, HUBSPOT_COMPANIES, "accounts")
    assert fmt == "hubspot"
    assert isinstance(engines, AccountRecord)
    assert (engines.name, engines.domain, engines.external_id) == (
        "Analytical Engines Inc.",
        "analytical.io",
        "901",
    )
    assert engines.properties == {
        "Website URL": "https://www.analytical.io/",
        "Annual Revenue": "5000000",
    }
    assert isinstance(difference, AccountRecord)
    assert difference.domain == "difference.de"  # from the website when the domain is empty
    assert (difference.employee_count, difference.country) == (51, "DE")


def test_hubspot_deals(tmp_path: Path) -> None:
    fmt, (enterprise, renewal) = read(tmp_path, HUBSPOT_DEALS, "opportunities")
    assert fmt == "hubspot"
    assert isinstance(enterprise, OpportunityRecord)
    assert enterprise.stage is OpportunityStage.NEGOTIATION
    assert (enterprise.amount, enterprise.currency) == (Decimal(120000), "USD")
    assert enterprise.close_date == date(2024, 6, 30)
    assert enterprise.account_name == "Analytical Engines Inc."
    # The label the stage came from is kept beside it: pipelines name stages their way.
    assert enterprise.properties == {"Pipeline": "Sales Pipeline", "Deal Stage": "Contract Sent"}
    assert isinstance(renewal, OpportunityRecord)
    assert renewal.stage is OpportunityStage.WON
    assert renewal.amount == Decimal("45500.50")


def test_salesforce_leads(tmp_path: Path) -> None:
    fmt, (alan, tommy) = read(tmp_path, SALESFORCE_LEADS, "people")
    assert fmt == "salesforce"
    assert isinstance(alan, PersonRecord)
    assert alan.external_id == "00Q5e000001AbCdEAK"  # 15-character ids stored as 18
    assert alan.stage is LifecycleStage.SAL
    assert alan.created_at == datetime(2024, 3, 5, 14, 2, tzinfo=NEW_YORK)
    assert (alan.company, alan.country, alan.source) == ("Bletchley Park Ltd", "GB", "Web")
    assert alan.properties == {"Rating": "Hot", "lead_status": "Working - Contacted"}
    assert isinstance(tommy, PersonRecord)
    assert tommy.stage is LifecycleStage.DISQUALIFIED
    assert tommy.email == "tommy.flowers+gpo@gmail.com"
    assert tommy.canonical_email == "tommyflowers@gmail.com"
    assert tommy.is_free_mail


def test_salesforce_contacts_share_the_people_mapping(tmp_path: Path) -> None:
    fmt, (joan,) = read(tmp_path, SALESFORCE_CONTACTS, "people")
    assert fmt == "salesforce"
    assert isinstance(joan, PersonRecord)
    assert (joan.external_id, joan.account_external_id) == ("0035e00000AbCdEAAV", "0015e00000XyZ")
    assert (joan.company, joan.country, joan.owner) == ("Bletchley Park Ltd", "GB", "Sally Sales")
    assert joan.stage is None


def test_salesforce_accounts(tmp_path: Path) -> None:
    fmt, (park,) = read(tmp_path, SALESFORCE_ACCOUNTS, "accounts")
    assert fmt == "salesforce"
    assert isinstance(park, AccountRecord)
    assert (park.domain, park.employee_count, park.country) == ("bletchley.co.uk", 250, "GB")
    assert park.properties == {"Type": "Customer"}


def test_salesforce_opportunities(tmp_path: Path) -> None:
    fmt, (bombe, colossus) = read(tmp_path, SALESFORCE_OPPORTUNITIES, "opportunities")
    assert fmt == "salesforce"
    assert isinstance(bombe, OpportunityRecord)
    assert (bombe.amount, bombe.currency) == (Decimal("1234567.89"), "EUR")
    assert bombe.stage is OpportunityStage.PROPOSAL
    assert bombe.close_date == date(2024, 6, 30)
    assert bombe.created_at == datetime(2024, 3, 1, 9, tzinfo=NEW_YORK)
    assert bombe.properties == {"Probability (%)": "75", "Stage": "Proposal/Price Quote"}
    assert isinstance(colossus, OpportunityRecord)
    assert (colossus.stage, colossus.amount) == (OpportunityStage.WON, Decimal("250000.00"))


def test_a_semicolon_export_with_european_numbers(tmp_path: Path) -> None:
    text = (
        "Opportunity Name;Stage;Amount;Close Date;Opportunity Currency\n"
        "Bombe;Closed Won;1.234,50;31.12.2024;EUR\n"
    )
    _, (deal,) = read(tmp_path, text, "opportunities", "salesforce")
    assert isinstance(deal, OpportunityRecord)
    assert (deal.amount, deal.currency, deal.close_date) == (
        Decimal("1234.50"),
        "EUR",
        date(2024, 12, 31),
    )


def test_generic_uses_revloops_own_field_names(tmp_path: Path) -> None:
    text = "email,first_name,stage,created_at,custom\nJo@X.com,Jo,mql,2024-01-01T00:00:00Z,1\n"
    fmt, (jo,) = read(tmp_path, text, "people")
    assert fmt == "generic"
    assert isinstance(jo, PersonRecord)
    assert (jo.email, jo.stage, jo.created_at) == (
        "jo@x.com",
        LifecycleStage.MQL,
        datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert jo.properties == {"custom": "1"}


def test_detection_picks_the_format_that_knows_most_columns() -> None:
    assert detect_format(["Record ID", "Email", "Lifecycle Stage"], "people") == "hubspot"
    assert detect_format(["Lead ID", "Email", "Lead Status"], "people") == "salesforce"
    assert detect_format(["email", "first_name"], "people") == "generic"
    assert detect_format(["event_id", "type"], "touches") == "generic"


def test_missing_required_columns_name_what_the_format_expects() -> None:
    with pytest.raises(FormatError, match="people need a column for 'email' or 'external_id'"):
        bind(["First Name"], "hubspot", Entity.PEOPLE)
    with pytest.raises(FormatError, match=r"'stage' or 'is_won' or 'is_closed'.*--stage"):
        bind(["Amount", "Close Date"], "salesforce", "opportunities")
    with pytest.raises(FormatError, match="amount"):
        bind(["Opportunity Name", "Stage", "Close Date"], "salesforce", "opportunities")
    with pytest.raises(FormatError, match="'email' or 'anonymous_id'"):
        bind(["occurred_at", "type"], "generic", "touches")


def test_unknown_formats_and_entities_are_refused() -> None:
    with pytest.raises(FormatError, match="unknown format 'pipedrive'"):
        bind(["email"], "pipedrive", "people")
    with pytest.raises(FormatError, match="hubspot format has no touches mapping"):
        bind(["email"], "hubspot", "touches")
    with pytest.raises(ValueError, match="'leads' is not a valid Entity"):
        bind(["email"], "generic", "leads")


def test_headers_match_ignoring_case_and_spacing_and_the_error_column_is_ignored() -> None:
    columns = bind(["  EMAIL ", "first  name", "revloop_errors", "Other"], "hubspot", "people")
    assert columns.fields == {"email": (0,), "first_name": (1,)}
    assert columns.extra == (3,)
