"""The offer catalog: what the company really sells and promises, parsed and validated.

The file is YAML; every problem is reported with its line and key path (the lead
contract's located reader does the work), all of them at once so one edit round
fixes everything. A fact is a claim copy might make (``Shipping is free``), whether
it is true, and the truth to say instead; ``examples`` are other ways copy says the
same claim, and ``value`` the numbers a true claim must carry (a 14-day trial).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from revloop.engine.contract.errors import ContractError
from revloop.engine.contract.loader import ROOT, YNode, YScalar, child, load_nodes
from revloop.engine.contract.reader import Reader
from revloop.engine.errors import EngineInputError

#: A located problem in a catalog file (``catalog.yaml:12 facts[2].true: …``).
CatalogError = ContractError

PRODUCT_KINDS = ("subscription", "hardware", "service")
PERIODS = ("month", "year", "order", "unit", "once")
CUSTOM_PRICE = "custom"
#: Units a fact's ``value`` may name; any other lower-case name counts things
#: ("vehicles: 10" reads "up to 10 vehicles").
DURATION_UNITS = {"hours": 1 / 24, "days": 1, "weeks": 7, "months": 30, "years": 365}
MONEY_UNITS = ("price",)
RATIO_UNITS = ("percent",)


#: Ids the checker gives findings about names and prices, which no fact may take.
RESERVED_IDS = frozenset(
    {
        "unknown_product",
        "unknown_plan",
        "unknown_integration",
        "unknown_certification",
        "plan_price",
    }
)


class CatalogInvalid(EngineInputError):  # noqa: N818 - reads as "the catalog is invalid"
    """Raised with every error found, sorted by line."""

    def __init__(self, errors: Sequence[CatalogError]) -> None:
        self.errors: tuple[CatalogError, ...] = tuple(sorted(errors))
        count = len(self.errors)
        head = f"{count} error{'s' if count != 1 else ''} in the offer catalog"
        super().__init__("\n".join([head, *(str(e) for e in self.errors)]))


@dataclass(frozen=True)
class Plan:
    name: str
    #: ``None`` when the price is on request ("custom").
    price: Decimal | None
    currency: str
    per: str
    line: int = 0


@dataclass(frozen=True)
class Product:
    name: str
    kind: str
    plans: tuple[Plan, ...] = ()
    #: Other names copy may use for it, and parts of it that are not plans.
    aliases: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Fact:
    id: str
    claim: str
    true: bool
    truth: str
    examples: tuple[str, ...] = ()
    #: Numbers the claim carries when true: ``{"days": Decimal(14)}``.
    value: tuple[tuple[str, Decimal], ...] = ()
    #: What to write instead; the truth when the file gives none.
    rewrite: str = ""
    #: Names (plans, products) that make a false claim true when copy ties it to one:
    #: "24/7 support" is false in general and true "on Enterprise".
    true_for: tuple[str, ...] = ()
    line: int = 0

    @property
    def suggestion(self) -> str:
        return self.rewrite or self.truth


@dataclass(frozen=True)
class Catalog:
    company: str
    products: tuple[Product, ...]
    facts: tuple[Fact, ...] = ()
    #: Other names of the company (a domain, a short name).
    aliases: tuple[str, ...] = ()
    #: ``None`` when the file does not list them: then no integration is "unknown".
    integrations: tuple[str, ...] | None = None
    certifications: tuple[str, ...] | None = None
    source: str = field(default="catalog.yaml", compare=False)

    def fact(self, fact_id: str) -> Fact:
        for fact in self.facts:
            if fact.id == fact_id:
                return fact
        raise KeyError(fact_id)

    @property
    def plans(self) -> tuple[tuple[Product, Plan], ...]:
        return tuple((product, plan) for product in self.products for plan in product.plans)

    @property
    def company_names(self) -> tuple[str, ...]:
        return (self.company, *self.aliases)


def check_catalog(
    text: str, source: str = "catalog.yaml"
) -> tuple[Catalog | None, tuple[CatalogError, ...]]:
    """Parse and validate; the catalog (or ``None``) and every error, never raises."""
    root, errors = load_nodes(text, source)
    if root is None:
        return None, tuple(sorted(errors))
    read = Reader(source)
    read.errors.extend(errors)
    items = read.mapping(
        root,
        ROOT,
        required=("company", "products"),
        optional=("aliases", "currency", "facts", "integrations", "certifications", "notes"),
    )
    if items is None:
        return None, tuple(sorted(read.errors))
    company = read.text(items["company"], "company") if "company" in items else None
    aliases = _texts(read, items.get("aliases"), "aliases")
    currency = (
        read.text(items["currency"], "currency", pattern=_CURRENCY, hint=_CURRENCY_HINT)
        if "currency" in items
        else None
    )
    products = (
        _products(read, items["products"], "products", currency) if "products" in items else None
    )
    facts = _facts(read, items["facts"], "facts") if "facts" in items else ()
    integrations = (
        _texts(read, items["integrations"], "integrations") if "integrations" in items else None
    )
    certifications = (
        _texts(read, items["certifications"], "certifications")
        if "certifications" in items
        else None
    )
    if read.errors or company is None or products is None or facts is None:
        if not read.errors:  # pragma: no cover - every None has recorded an error
            read.error(root.line, ROOT, "incomplete catalog")
        return None, tuple(sorted(read.errors))
    catalog = Catalog(
        company=company.strip(),
        products=products,
        facts=facts,
        aliases=aliases or (),
        integrations=integrations,
        certifications=certifications,
        source=source,
    )
    return catalog, ()


def parse_catalog(text: str, source: str = "catalog.yaml") -> Catalog:
    """The catalog, or :class:`CatalogInvalid` listing every error."""
    catalog, errors = check_catalog(text, source)
    if catalog is None:
        raise CatalogInvalid(errors)
    return catalog


def load_catalog(path: str | Path) -> Catalog:
    path = Path(path)
    return parse_catalog(path.read_text(encoding="utf-8"), source=path.name)


def catalog_digest(catalog: Catalog) -> str:
    """A fingerprint of what the catalog says (not of its comments or layout)."""
    data = {
        "company": catalog.company,
        "aliases": catalog.aliases,
        "products": [
            [
                p.name,
                p.kind,
                p.aliases,
                p.features,
                [[q.name, str(q.price), q.currency, q.per] for q in p.plans],
            ]
            for p in catalog.products
        ],
        "facts": [
            [
                f.id,
                f.claim,
                f.true,
                f.truth,
                f.examples,
                [[k, str(v)] for k, v in f.value],
                f.rewrite,
                f.true_for,
            ]
            for f in catalog.facts
        ],
        "integrations": catalog.integrations,
        "certifications": catalog.certifications,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


_CURRENCY_HINT = "a three-letter code such as USD or EUR"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _texts(read: Reader, node: YNode | None, path: str) -> tuple[str, ...] | None:
    if node is None:
        return None
    items = read.sequence(node, path)
    if items is None:
        return None
    values = [read.text(item, child(path, i)) for i, item in enumerate(items)]
    texts = [v.strip() for v in values if v is not None]
    if len(texts) != len(values):
        return None
    read.unique(
        [
            (t.casefold(), item.line, child(path, i))
            for i, (t, item) in enumerate(zip(texts, items, strict=True))
        ],
        "entry",
    )
    return tuple(texts)


def _products(
    read: Reader, node: YNode, path: str, currency: str | None
) -> tuple[Product, ...] | None:
    items = read.sequence(node, path, non_empty=True)
    if items is None:
        return None
    products: list[Product] = []
    for i, item in enumerate(items):
        product = _product(read, item, child(path, i), currency)
        if product is not None:
            products.append(product)
    read.unique(
        [(p.name.casefold(), p.line, child(path, i)) for i, p in enumerate(products)], "product"
    )
    return tuple(products) if len(products) == len(items) else None


def _product(read: Reader, node: YNode, path: str, currency: str | None) -> Product | None:
    items = read.mapping(
        node,
        path,
        required=("name", "kind"),
        optional=("plans", "aliases", "features", "description"),
    )
    if items is None:
        return None
    name = read.text(items["name"], child(path, "name")) if "name" in items else None
    kind = (
        read.choice(items["kind"], child(path, "kind"), PRODUCT_KINDS) if "kind" in items else None
    )
    plans: tuple[Plan, ...] | None = ()
    if "plans" in items:
        plans = _plans(read, items["plans"], child(path, "plans"), currency)
    aliases = _texts(read, items.get("aliases"), child(path, "aliases"))
    features = _texts(read, items.get("features"), child(path, "features"))
    if name is None or kind is None or plans is None:
        return None
    if ("aliases" in items and aliases is None) or ("features" in items and features is None):
        return None
    return Product(
        name=name.strip(),
        kind=kind,
        plans=plans,
        aliases=aliases or (),
        features=features or (),
        line=node.line,
    )


def _plans(read: Reader, node: YNode, path: str, currency: str | None) -> tuple[Plan, ...] | None:
    items = read.sequence(node, path)
    if items is None:
        return None
    plans: list[Plan] = []
    for i, item in enumerate(items):
        plan = _plan(read, item, child(path, i), currency)
        if plan is not None:
            plans.append(plan)
    read.unique([(p.name.casefold(), p.line, child(path, i)) for i, p in enumerate(plans)], "plan")
    return tuple(plans) if len(plans) == len(items) else None


def _plan(read: Reader, node: YNode, path: str, currency: str | None) -> Plan | None:  # noqa: PLR0911
    items = read.mapping(
        node, path, required=("name", "price"), optional=("currency", "per", "description")
    )
    if items is None:
        return None
    name = read.text(items["name"], child(path, "name")) if "name" in items else None
    if "price" not in items:
        return None
    price_node = items["price"]
    price: Decimal | None = None
    if isinstance(price_node, YScalar) and price_node.raw.strip().lower() == CUSTOM_PRICE:
        if "per" in items or "currency" in items:
            key = "per" if "per" in items else "currency"
            read.error(
                items[key].line, child(path, key), "a custom price has no currency or period"
            )
            return None
    else:
        number = read.number(price_node, child(path, "price"), ge=0)
        if number is None:
            return None
        exact = (
            price_node.raw.strip()
            if isinstance(price_node, YScalar) and _plain_number(price_node)
            else ""
        )
        price = Decimal(exact or str(number))
    plan_currency = currency or ""
    if "currency" in items:
        code = read.text(
            items["currency"], child(path, "currency"), pattern=_CURRENCY, hint=_CURRENCY_HINT
        )
        if code is None:
            return None
        plan_currency = code
    elif price is not None and not plan_currency:
        read.error(
            node.line,
            child(path, "currency"),
            "is required for a price (or set a top-level currency)",
        )
        return None
    per = "month"
    if "per" in items:
        chosen = read.choice(items["per"], child(path, "per"), PERIODS)
        if chosen is None:
            return None
        per = chosen
    if name is None:
        return None
    return Plan(
        name=name.strip(),
        price=price,
        currency=plan_currency if price is not None else "",
        per=per if price is not None else "",
        line=node.line,
    )


def _plain_number(node: YScalar) -> bool:
    text = node.raw.strip()
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _facts(read: Reader, node: YNode, path: str) -> tuple[Fact, ...] | None:
    items = read.sequence(node, path)
    if items is None:
        return None
    facts: list[Fact] = []
    for i, item in enumerate(items):
        fact = _fact(read, item, child(path, i))
        if fact is not None:
            facts.append(fact)
    read.unique([(f.id, f.line, child(path, i)) for i, f in enumerate(facts)], "fact id")
    return tuple(facts) if len(facts) == len(items) else None


def _fact(read: Reader, node: YNode, path: str) -> Fact | None:
    items = read.mapping(
        node,
        path,
        required=("id", "claim", "true", "truth"),
        optional=("examples", "value", "rewrite", "true_for", "note"),
    )
    if items is None:
        return None
    fact_id = read.name(items["id"], child(path, "id")) if "id" in items else None
    if fact_id in RESERVED_IDS:
        read.error(
            items["id"].line,
            child(path, "id"),
            f"{fact_id!r} is the checker's own id for names and prices; choose another",
        )
        fact_id = None
    claim = read.text(items["claim"], child(path, "claim")) if "claim" in items else None
    is_true = read.boolean(items["true"], child(path, "true")) if "true" in items else None
    truth = read.text(items["truth"], child(path, "truth")) if "truth" in items else None
    examples = _texts(read, items.get("examples"), child(path, "examples"))
    true_for = _texts(read, items.get("true_for"), child(path, "true_for"))
    rewrite = read.text(items["rewrite"], child(path, "rewrite")) if "rewrite" in items else ""
    value: tuple[tuple[str, Decimal], ...] | None = ()
    if "value" in items:
        value = _value(read, items["value"], child(path, "value"))
        if value is not None and is_true is False:
            read.error(
                items["value"].line,
                child(path, "value"),
                "only a true fact carries a value (the numbers a true claim must state)",
            )
            value = None
    if (
        fact_id is None
        or claim is None
        or is_true is None
        or truth is None
        or value is None
        or rewrite is None
        or ("examples" in items and examples is None)
        or ("true_for" in items and true_for is None)
    ):
        return None
    return Fact(
        id=fact_id,
        claim=claim.strip(),
        true=is_true,
        truth=truth.strip(),
        examples=examples or (),
        value=value,
        rewrite=rewrite.strip(),
        true_for=true_for or (),
        line=node.line,
    )


def _value(read: Reader, node: YNode, path: str) -> tuple[tuple[str, Decimal], ...] | None:
    entries = read.named_entries(node, path)
    if entries is None:
        return None
    if not entries:
        read.error(node.line, path, "must name at least one number, e.g. {days: 14}")
        return None
    values: list[tuple[str, Decimal]] = []
    for key, _line, item in entries:
        if key == "currency":
            code = read.text(item, child(path, key), pattern=_CURRENCY, hint=_CURRENCY_HINT)
            if code is None:
                return None
            continue
        number = read.number(item, child(path, key), ge=0)
        if number is None:
            return None
        exact = item.raw.strip() if isinstance(item, YScalar) and _plain_number(item) else ""
        values.append((key, Decimal(exact or str(number))))
    return tuple(values)
