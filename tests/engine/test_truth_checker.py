"""The copy checker reads claims the way a careful reader does, in any markup.

Each case runs three times: as plain text, inside an HTML page (whose script says
"free shipping" and must not count) and as the plain part of a multipart e-mail.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from pathlib import Path

import pytest

from revloop.engine.demo.catalog import CONTENT
from revloop.engine.truth import Checker, extract, load_catalog
from revloop.engine.truth.evaluate import evaluate, load_cases

DATA = Path(__file__).resolve().parents[1] / "data" / "copy_checks"
DEMO = Path(__file__).resolve().parents[2] / "src" / "revloop" / "engine" / "demo"


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(load_catalog(DATA / "catalog.yaml"))


def as_html(text: str) -> bytes:
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.split("\n"))
    return (
        "<!doctype html><html><head><title>Offer</title><style>p{margin:0}</style></head>"
        f'<body><nav><a href="/">Home</a></nav><section class="hero">{body}</section>'
        '<script>banner("free shipping on every order")</script></body></html>'
    ).encode()


def as_eml(text: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Northwind <hello@northwind.example>"
    message["To"] = "buyer@plant.example"
    message["Subject"] = "A note from Northwind"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(as_html(text).decode(), subtype="html")
    return bytes(message)


FORMATS = {"plain": lambda text: text.encode(), "html": as_html, "eml": as_eml}

CASES = [
    # (why, copy, the facts it gets wrong)
    ("a false claim", "Every gateway order comes with free shipping.", {"free_shipping"}),
    ("a negated false claim is true", "Shipping is not free; it is charged at cost.", set()),
    ("a question is not a claim", "Is shipping free for hardware orders?", set()),
    ("a question answered no", "Is shipping free? No, it is charged at cost.", set()),
    ("a question answered yes", "Is shipping free? Yes, always.", {"free_shipping"}),
    ("a paraphrase", "Your gateway ships at no cost.", {"free_shipping"}),
    ("another paraphrase", "Pay nothing for delivery on your first order.", {"free_shipping"}),
    ("a refund paraphrase", "Not happy after a month? We refund every cent.", {"money_back"}),
    ("a comparison", "Unlike competitors who charge for shipping, we never do.", {"free_shipping"}),
    ("a comparison that holds", "Like other vendors, we charge for delivery at cost.", set()),
    ("a true fact denied", "Sorry, there is no free trial.", {"free_trial"}),
    ("a wrong number", "Start your 30-day free trial today.", {"free_trial"}),
    ("the right number", "Start your 14-day free trial today.", set()),
    ("a price under the floor", "Northwind Analytics from $19/month.", {"plan_price"}),
    ("the real floor", "Northwind Analytics from $49/month.", set()),
    ("a lifetime warranty", "The Edge Gateway comes with a lifetime warranty.", {"warranty"}),
    (
        "a plan that does not exist",
        "Upgrade to the Platinum plan for more seats.",
        {"unknown_plan"},
    ),
    (
        "a product that does not exist",
        "Meet Northwind Forecast Cloud, our newest product.",
        {"unknown_product"},
    ),
    (
        "an integration that does not exist",
        "Northwind integrates with Salesforce and Snowflake.",
        {"unknown_integration"},
    ),
    ("a certification not held", "Northwind is ISO 27001 certified.", {"unknown_certification"}),
    ("a certification held", "Northwind is SOC 2 Type II audited.", set()),
    ("true for one plan only", "Northwind Analytics Enterprise has unlimited users.", set()),
    ("honest copy", "Dashboards in minutes. Alerts in Slack. Cancel anytime.", set()),
]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize(("why", "copy", "wrong"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_claim_in_each_format(
    checker: Checker, fmt: str, why: str, copy: str, wrong: set[str]
) -> None:
    report = checker.check(FORMATS[fmt](copy), fmt)
    assert {f.fact for f in report.findings} == wrong, why
    for finding in report.findings:
        # Offsets point into the extracted text, at the sentence that makes the claim.
        assert report.text[finding.start : finding.end].startswith(finding.sentence[:20])
        assert finding.truth
        assert finding.rewrite
        assert finding.rewrite != finding.sentence


def test_a_finding_says_what_is_true_and_what_to_write(checker: Checker) -> None:
    (finding,) = checker.check("Start your 30-day free trial today.").findings
    assert finding.kind == "wrong_value"
    assert finding.subject == "30-day"
    assert finding.truth == "A 14-day free trial of Northwind Analytics, no credit card needed."
    assert finding.rewrite == "Start your 14-day free trial today."


def test_an_answered_question_is_one_finding_spanning_both(checker: Checker) -> None:
    text = "Is shipping free? Yes!"
    (finding,) = checker.check(text).findings
    assert (finding.start, finding.end) == (0, len(text))


def test_markup_split_inside_a_claim_still_reads_as_one_sentence(checker: Checker) -> None:
    page = b"<div><h2>Order today</h2><p>Every kit ships <em>free</em> of <b>charge</b>.</p></div>"
    report = checker.check(page, "html")
    assert [line for line in report.text.splitlines() if line] == [
        "Order today",
        "Every kit ships free of charge.",
    ]
    assert [f.fact for f in report.findings] == ["free_shipping"]


def test_an_html_only_email_is_read_through_its_html_part() -> None:
    raw = (DATA / "files" / "d57_html_only.eml").read_bytes()
    extracted = extract(raw, "eml")
    assert extracted.subject == "The Edge Gateway is back in stock"
    assert "delivery is on the house" in extracted.text
    assert "<b>" not in extracted.text


def test_the_demo_companys_three_misleading_assets_and_no_other() -> None:
    """Checked against the generator's answer key: the assets it plants as misleading."""
    checker = Checker(load_catalog(DEMO / "offer_catalog.yaml"))
    flagged = {a.title for a in CONTENT if checker.check(a.body).findings}
    planted = {a.title for a in CONTENT if a.false_promise}
    assert len(planted) == 3
    assert flagged == planted


def test_precision_and_recall_on_the_labelled_snippets(checker: Checker) -> None:
    """The default method on the labelled set (see benchmarks/bench_copy_checker.py)."""
    dev = evaluate(checker, load_cases(DATA / "dev.yaml"))
    heldout = evaluate(checker, load_cases(DATA / "heldout.yaml"))
    assert dev.cases + heldout.cases >= 80
    assert dev.precision >= 0.95, dev.false_alarms
    assert dev.recall >= 0.9, dev.misses
    # Written before tuning; what the rules reach on copy they were not shaped on.
    assert heldout.precision >= 0.9, heldout.false_alarms
    assert heldout.recall >= 0.7, heldout.misses
