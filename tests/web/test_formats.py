"""One way to write money and rates on every page."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from revloop.web.templatetags.revloop_format import (
    money,
    money_exact,
    money_short,
    percent,
    rate,
)


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (Decimal("1234.50"), "USD", "$1,235"),
        (Decimal("1234.49"), "USD", "$1,234"),
        (0, "EUR", "€0"),
        (Decimal("-20"), "GBP", "-£20"),
        (700, "CHF", "CHF 700"),
        (None, "USD", "—"),
        (float("nan"), "USD", "—"),
    ],
)
def test_money_is_whole_units_with_the_currency(value: object, currency: str, shown: str) -> None:
    assert money(value, currency) == shown  # type: ignore[arg-type]


def test_money_without_a_currency_is_in_the_company_currency(settings: Settings) -> None:
    settings.REVLOOP_CURRENCY = "EUR"
    assert money(Decimal("12.4")) == "€12"
    assert money_short(123_456) == "€123.5k"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(9_999, "$9,999"), (12_345, "$12.3k"), (939_688_500, "$939.7M"), (2_500_000_000, "$2.5B")],
)
def test_short_money_for_charts_and_cards(value: int, shown: str) -> None:
    assert money_short(value, "USD") == shown


def test_exact_money_keeps_the_cents() -> None:
    assert money_exact(Decimal("1500.5"), "USD") == "$1,500.50"


@given(
    numerator=st.integers(0, 10**9),
    extra=st.integers(0, 10**9),
)
def test_a_rate_shows_its_share_and_both_parts(numerator: int, extra: int) -> None:
    denominator = numerator + extra
    html = rate(numerator, denominator)
    match = re.fullmatch(
        r'<abbr class="rate" title="([\d,]+) of ([\d,]+)" data-numerator="(\d+)" '
        r'data-denominator="(\d+)">([^<]+)</abbr>',
        html,
    )
    assert match
    assert match.group(1) == f"{numerator:,}"
    assert match.group(2) == f"{denominator:,}"
    assert (int(match.group(3)), int(match.group(4))) == (numerator, denominator)
    if denominator == 0:
        assert match.group(5) == "—"
    else:
        shown = Decimal(match.group(5).rstrip("%"))
        exact = Decimal(numerator) / Decimal(denominator) * 100
        assert abs(shown - exact) <= Decimal("0.05")


def test_a_money_rate_shows_money_parts(settings: Settings) -> None:
    settings.REVLOOP_CURRENCY = "USD"
    assert 'title="$250 of $1,000"' in rate(Decimal(250), Decimal(1000), unit="money")
    assert rate(None, 10) == "—"


TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("src/revloop/**/templates/**/*.html"))
#: A percentage written by hand: ``{% widthratio x 1 100 %}%`` or ``{{ x }}%`` in a cell.
HAND_MADE = re.compile(r"widthratio[^%]*%\}\s*%|\}\}\s*%(?!\})")


def test_every_rate_goes_through_the_number_format() -> None:
    hand_made = [
        f"{path.name}: {match.group(0)}"
        for path in TEMPLATES
        for match in HAND_MADE.finditer(path.read_text(encoding="utf-8"))
        # A <progress> bar's text mirrors its numeric value attribute.
        if "share_percent" not in path.read_text(encoding="utf-8")[: match.end()][-60:]
    ]
    assert len(TEMPLATES) > 20
    assert hand_made == []


def test_a_share_without_a_base_is_a_whole_percent() -> None:
    assert percent(0.456) == "46%"
    assert percent(Decimal("0.8"), 1) == "80.0%"
    assert percent(None) == "—"
