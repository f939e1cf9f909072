"""Sentences and numbers are read with offsets that always point back at the text."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.truth import Checker, load_catalog
from revloop.engine.truth.extract import extract, markdown_text
from revloop.engine.truth.quantities import quantities, same_amount
from revloop.engine.truth.text import sentences

_ALPHABET = st.sampled_from(
    [*list("abc XYZ.!?,;:-\n$0123456789'\""), "e.g. ", "St. ", "\n\n", "- "]
)


@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_every_sentence_is_the_text_at_its_offsets(text: str) -> None:
    spans = sentences(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip()
    starts = [s.start for s in spans]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_sentences_end_at_stops_and_blocks_but_not_at_abbreviations() -> None:
    text = (
        "Free shipping on all kits\n"
        "Order today. It ships from St. Louis, e.g. to Ohio! Is it free? No."
    )
    assert [s.text for s in sentences(text)] == [
        "Free shipping on all kits",
        "Order today.",
        "It ships from St. Louis, e.g. to Ohio!",
        "Is it free?",
        "No.",
    ]


def test_a_wrapped_line_stays_in_its_sentence() -> None:
    text = "Every gateway ships\nfree of charge to your plant."
    assert [s.text for s in sentences(text)] == [text]


@given(st.integers(min_value=1, max_value=60), st.sampled_from(["day", "week", "month", "year"]))
def test_durations_compare_in_days(n: int, unit: str) -> None:
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
    (found,) = quantities(f"a {n}-{unit} trial")
    assert found.kind == "days"
    assert same_amount(found.amount, n * days)


def test_lifetime_is_forever_and_never_two_years() -> None:
    (found,) = quantities("a lifetime warranty")
    assert math.isinf(found.amount)
    assert not same_amount(found.amount, 730)
    (months,) = quantities("our 24-month warranty")
    assert same_amount(months.amount, 2 * 365)


def test_prices_carry_their_currency_and_period() -> None:
    (price,) = quantities("plans from $19/month")
    assert (price.amount, price.currency, price.period) == (19, "USD", "month")
    (euro,) = quantities("nur 49 EUR per year")
    assert (euro.amount, euro.currency, euro.period) == (49, "EUR", "year")


def test_markdown_keeps_the_words_and_drops_the_syntax() -> None:
    text = "## Why **Northwind**\n\n- [Free trial](/trial): *14 days*\n> quoted `code`"
    assert markdown_text(text) == "Why Northwind\n\nFree trial: 14 days\nquoted code"


def test_html_drops_scripts_styles_and_comments() -> None:
    page = "<style>a{}</style><p>Hello <!-- free shipping --> world</p><script>free()</script>"
    assert extract(page, "html").text == "Hello world"


_CHECKER = Checker(
    load_catalog(Path(__file__).resolve().parents[1] / "data" / "copy_checks" / "catalog.yaml")
)
_COPY_WORDS = st.sampled_from(
    [
        "free",
        "shipping",
        "not",
        "never",
        "no",
        "we",
        "competitors",
        "charge",
        "for",
        "unlike",
        "who",
        "do",
        "Is",
        "?",
        "No.",
        "Yes!",
        "$19/month",
        "30-day",
        "trial",
        "lifetime",
        "warranty",
        "Northwind",
        "Analytics",
        "Platinum plan",
        "integrates with",
        "Snowflake",
        "ISO 27001",
        "certified",
        ",",
        ";",
        ".",
        "\n",
        "<b>",
        "</b>",
        "refund",
        "every cent",
        "24/7",
        "support",
        "Enterprise",
        "from",
        "move",
        "data",
        "over",
    ]
)


@given(st.lists(_COPY_WORDS, max_size=40).map(" ".join))
def test_the_checker_reads_any_copy_and_points_inside_it(copy: str) -> None:
    for fmt in ("plain", "html", "markdown"):
        report = _CHECKER.check(copy, fmt)
        for finding in report.findings:
            assert 0 <= finding.start < finding.end <= len(report.text)
            assert finding.fact
