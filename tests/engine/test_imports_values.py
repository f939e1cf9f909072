"""Dates, times, money and counts as HubSpot, Salesforce and spreadsheets write them."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.imports.countries import country_code
from revloop.engine.imports.values import (
    BadValue,
    parse_amount,
    parse_currency,
    parse_date,
    parse_datetime,
    parse_employee_count,
    parse_int,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05T14:02:00Z", datetime(2024, 3, 5, 14, 2, tzinfo=UTC)),
        (
            "2024-03-05T14:02:00.5+05:30",
            datetime(2024, 3, 5, 14, 2, 0, 500_000, tzinfo=timezone(timedelta(hours=5.5))),
        ),
        ("2024-03-05 14:02", datetime(2024, 3, 5, 14, 2, tzinfo=BERLIN)),
        ("2024-03-05 9:02 UTC", datetime(2024, 3, 5, 9, 2, tzinfo=UTC)),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=BERLIN)),
        (
            "2024/03/05 14:02:11 -0500",
            datetime(2024, 3, 5, 14, 2, 11, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("3/5/2024 2:02 PM", datetime(2024, 3, 5, 14, 2, tzinfo=BERLIN)),
        ("3/5/2024, 2:02 p.m.", datetime(2024, 3, 5, 14, 2, tzinfo=BERLIN)),
        ("12/31/2024 12:00 AM", datetime(2024, 12, 31, 0, 0, tzinfo=BERLIN)),
        ("3/5/24", datetime(2024, 3, 5, tzinfo=BERLIN)),
        ("05.03.2024", datetime(2024, 3, 5, tzinfo=BERLIN)),
        ("5.3.2024 14:02", datetime(2024, 3, 5, 14, 2, tzinfo=BERLIN)),
    ],
)
def test_it_reads_the_formats_exports_use(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, BERLIN)
    assert parsed == expected
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == expected.utcoffset()


def test_slashed_dates_follow_the_given_order_and_never_flip() -> None:
    assert parse_datetime("05/03/2024", UTC, date_order="dmy").date() == date(2024, 3, 5)
    assert parse_datetime("05/03/2024", UTC).date() == date(2024, 5, 3)
    with pytest.raises(BadValue, match="month/day/year order"):
        parse_datetime("13/03/2024", UTC)
    with pytest.raises(BadValue, match="day/month/year order"):
        parse_datetime("03/13/2024", UTC, date_order="dmy")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("yesterday", "known format"),
        ("2024-02-30", "impossible date"),
        ("2024-03-05 25:00", "impossible"),
        ("3/5/2024 13:02 PM", "AM/PM"),
        ("2024-03-05 14:02 +25:00", "impossible time-zone offset"),
        ("2024-03-05 14:02 CET", "known format"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(BadValue, match=reason):
        parse_datetime(text, UTC)


def test_dates_with_a_zone_are_moved_into_the_import_zone_first() -> None:
    assert parse_date("2024-03-05T23:30:00Z", BERLIN) == date(2024, 3, 6)
    assert parse_date("3/5/2024", BERLIN) == date(2024, 3, 5)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    st.sampled_from(["iso", "hubspot", "salesforce", "dotted", "dmy"]),
)
def test_formatted_datetimes_read_back(moment: datetime, style: str) -> None:
    moment = moment.replace(second=0, microsecond=0)
    text = {
        "iso": moment.isoformat() + "Z",
        "hubspot": moment.strftime("%Y-%m-%d %H:%M"),
        "salesforce": f"{moment.month}/{moment.day}/{moment.year} "
        f"{moment.hour % 12 or 12}:{moment.minute:02d} {'PM' if moment.hour >= 12 else 'AM'}",
        "dotted": moment.strftime("%d.%m.%Y %H:%M"),
        "dmy": moment.strftime("%d/%m/%Y %H:%M"),
    }[style]
    order = "dmy" if style == "dmy" else "mdy"
    parsed = parse_datetime(text, UTC, date_order=order)
    assert parsed == moment.replace(tzinfo=UTC)


@given(st.text(max_size=30))
def test_date_parsing_never_crashes(text: str) -> None:
    with contextlib.suppress(BadValue):
        assert parse_datetime(text, BERLIN).tzinfo is not None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1234.5", "1234.5", "USD"),
        ("$1,234.50", "1234.50", "USD"),
        ("1.234,56 €", "1234.56", "EUR"),
        ("EUR 1 234,56", "1234.56", "EUR"),
        ("1\u202f234,56\u00a0€", "1234.56", "EUR"),
        ("1'234.50 CHF", "1234.50", "CHF"),
        ("£12", "12", "GBP"),
        ("12,34,567.00 INR", "1234567.00", "INR"),
        ("1.234.567", "1234567", "USD"),
        ("1,5", "1.5", "USD"),
        ("0,125", "0.125", "USD"),
        ("1,234", "1234", "USD"),
        ("1.234", "1.234", "USD"),
        ("(200.00)", "-200.00", "USD"),
        ("-$5", "-5", "USD"),
        ("1.2E+5", "1.2E+5", "USD"),
        ("usd 10", "10", "USD"),
    ],
)
def test_it_reads_amounts_with_currency(text: str, amount: str, currency: str) -> None:
    assert parse_amount(text) == (Decimal(amount), currency)


def test_the_ambiguous_separator_follows_the_option() -> None:
    assert parse_amount("1.234", decimal_separator=",")[0] == Decimal(1234)
    assert parse_amount("1,234", decimal_separator=",")[0] == Decimal("1.234")


def test_a_dollar_sign_is_the_default_dollar() -> None:
    assert parse_amount("$5", default_currency="CAD") == (Decimal(5), "CAD")
    assert parse_amount("$5", default_currency="EUR") == (Decimal(5), "USD")
    assert parse_currency("€") == "EUR"
    assert parse_currency("", "GBP") == "GBP"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("abc", "not an amount"),
        ("kr 100", "SEK, NOK, DKK"),
        ("1,23,4", "odd places"),
        ("$5 EUR", "two currency markers"),
        ("five dollars", "not an amount"),
    ],
)
def test_bad_amounts_say_why(text: str, reason: str) -> None:
    with pytest.raises(BadValue, match=reason):
        parse_amount(text)


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["us", "eu", "swiss", "plain"]),
)
def test_formatted_amounts_read_back(value: Decimal, style: str) -> None:
    us = f"{value:,.2f}"
    text = {
        "us": f"${us}",
        "eu": us.replace(",", " ").replace(".", ",").replace(" ", ".") + " €",
        "swiss": "CHF " + us.replace(",", "'"),
        "plain": f"{value:.2f}",
    }[style]
    assert parse_amount(text)[0] == value


@given(st.text(max_size=20))
def test_amount_parsing_never_crashes(text: str) -> None:
    try:
        amount, currency = parse_amount(text)
    except BadValue:
        return
    assert amount.is_finite()
    assert len(currency) == 3


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("1200", 1200),
        ("1,200", 1200),
        ("1.200", 1200),
        ("1 200", 1200),
        ("1200.0", 1200),
        ("51-200", 51),
        ("51 - 200", 51),
        ("10,001+", 10001),
        ("0", 0),
    ],
)
def test_employee_counts(text: str, count: int) -> None:
    assert parse_employee_count(text) == count


@pytest.mark.parametrize("text", ["12.5", "many", "-3", "200-51", ""])
def test_bad_employee_counts(text: str) -> None:
    with pytest.raises(BadValue):
        parse_employee_count(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_integers_read_back(value: int) -> None:
    assert parse_int(f"{value:,}") == value
    assert parse_int(f"{value:,}".replace(",", ".")) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("United States", "US"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("us", "US"),
        ("Deutschland", "DE"),
        ("the Netherlands", "NL"),
        ("Korea, Republic of", "KR"),
        ("Côte d'Ivoire", "CI"),
        ("UK", "GB"),
        ("Türkiye", "TR"),
        ("", ""),
    ],
)
def test_countries_become_iso_codes(text: str, code: str) -> None:
    assert country_code(text) == code


def test_unknown_countries_are_errors() -> None:
    with pytest.raises(BadValue, match="unknown country"):
        country_code("Narnia")
