"""The offer catalog file: the shape from the brief is accepted, and every mistake is
reported with its line and field, all at once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from revloop.engine.truth import CatalogInvalid, catalog_digest, check_catalog, parse_catalog

DATA = Path(__file__).resolve().parents[1] / "data" / "copy_checks"
DEMO = Path(__file__).resolve().parents[2] / "src" / "revloop" / "engine" / "demo"

BRIEF_SHAPE = """\
company: Northwind
products:
  - name: Northwind Analytics
    kind: subscription          # or hardware, service
    plans:
      - {name: Starter, price: 49, currency: USD, per: month}
      - {name: Enterprise, price: custom}
facts:
  - id: free_shipping
    claim: Shipping is free
    true: false
    truth: Shipping is charged at cost on every hardware order.
    examples: ["ships at no cost"]   # optional phrasings of the claim
  - id: free_trial
    claim: There is a free trial
    true: true
    truth: A 14-day free trial of Northwind Analytics.
    value: {days: 14}               # optional: a wrong number contradicts a true fact
"""


def _errors(text: str) -> list[tuple[int, str, str]]:
    catalog, errors = check_catalog(text, "catalog.yaml")
    assert catalog is None
    return [(e.line, e.path, e.message) for e in errors]


def test_the_shape_in_the_brief_is_accepted() -> None:
    catalog = parse_catalog(BRIEF_SHAPE)
    assert catalog.company == "Northwind"
    (product,) = catalog.products
    assert product.kind == "subscription"
    starter, enterprise = product.plans
    assert (starter.price, starter.currency, starter.per) == (Decimal(49), "USD", "month")
    assert enterprise.price is None  # custom: priced on request
    shipping, trial = catalog.facts
    assert (shipping.id, shipping.true, shipping.examples) == (
        "free_shipping",
        False,
        ("ships at no cost",),
    )
    assert trial.value == (("days", Decimal(14)),)
    # A catalog that does not list integrations says nothing about them.
    assert catalog.integrations is None


def test_the_sample_and_the_demo_catalogs_are_valid() -> None:
    for path in (DATA / "catalog.yaml", DEMO / "offer_catalog.yaml"):
        catalog, errors = check_catalog(path.read_text(), path.name)
        assert errors == ()
        assert catalog is not None
        assert catalog.facts


def test_comments_and_layout_do_not_change_the_digest() -> None:
    reflowed = BRIEF_SHAPE.replace("# or hardware, service", "").replace("\n", "\n\n")
    assert catalog_digest(parse_catalog(reflowed)) == catalog_digest(parse_catalog(BRIEF_SHAPE))
    changed = BRIEF_SHAPE.replace("days: 14", "days: 30")
    assert catalog_digest(parse_catalog(changed)) != catalog_digest(parse_catalog(BRIEF_SHAPE))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("company: Northwind\n", ""), (1, "company", "is required")),
        (
            ("kind: subscription", "kind: subscriptoin"),
            (4, "products[0].kind", "did you mean 'subscription'?"),
        ),
        (("true: false", "true: nope"), (11, "facts[0].true", "must be true or false, not text")),
        (("id: free_trial", "id: Free Trial"), (14, "facts[1].id", "'Free Trial' is not valid")),
        (
            ("id: free_trial", "id: free_shipping"),
            (14, "facts[1]", "duplicate fact id 'free_shipping'"),
        ),
        (("id: free_trial", "id: unknown_plan"), (14, "facts[1].id", "the checker's own id")),
        (
            ("currency: USD, per: month", "currency: dollars, per: month"),
            (6, "products[0].plans[0].currency", "is not valid"),
        ),
        (
            ("currency: USD, per: month", "per: month"),
            (6, "products[0].plans[0].currency", "is required"),
        ),
        (
            ("per: month", "per: fortnight"),
            (6, "products[0].plans[0].per", "unknown value 'fortnight'"),
        ),
        (
            ("price: custom}", "price: custom, per: month}"),
            (7, "products[0].plans[1].per", "custom price"),
        ),
        (("price: 49,", "price: -49,"), (6, "products[0].plans[0].price", "must be ≥ 0")),
        (("truth: Shipping", "truht: Shipping"), (12, "facts[0].truht", "did you mean 'truth'?")),
        (
            ('examples: ["ships at no cost"]', "examples: ships at no cost"),
            (13, "facts[0].examples", "must be a list"),
        ),
        (
            ("value: {days: 14}", "value: {days: two weeks}"),
            (18, "facts[1].value.days", "must be a number"),
        ),
    ],
)
def test_each_mistake_names_its_line_and_field(
    edit: tuple[str, str], expected: tuple[int, str, str]
) -> None:
    text = BRIEF_SHAPE.replace(*edit, 1)
    assert text != BRIEF_SHAPE
    line, path, message = expected
    found = _errors(text)
    assert any(e[0] == line and e[1] == path and message in e[2] for e in found), found


def test_a_false_fact_carries_no_value() -> None:
    text = BRIEF_SHAPE.replace('    examples: ["ships at no cost"]', "    value: {price: 0}")
    assert (13, "facts[0].value") in [(e[0], e[1]) for e in _errors(text)]


def test_every_error_is_reported_at_once() -> None:
    text = BRIEF_SHAPE.replace("true: false", "true: maybe").replace(
        "kind: subscription", "kind: x"
    )
    with pytest.raises(CatalogInvalid) as raised:
        parse_catalog(text, "offers.yaml")
    assert [e.path for e in raised.value.errors] == ["products[0].kind", "facts[0].true"]
    assert str(raised.value).startswith("2 errors in the offer catalog\noffers.yaml:4 ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("company: [unclosed\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("company: X\nproducts: []\n", "must not be empty"),
    ],
)
def test_what_is_not_a_catalog_at_all(text: str, message: str) -> None:
    assert any(message in e[2] for e in _errors(text))
