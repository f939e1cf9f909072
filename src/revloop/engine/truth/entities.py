"""Names in copy that the catalog does not have: products, plans, integrations, certifications.

A name counts only where copy presents it as ours: "the Northwind Fleet Cloud", "our
Platinum plan", "integrates with Snowflake", "SOC 2 certified". Each kind is checked
only when the catalog lists that kind (a catalog without ``integrations`` says
nothing about them). Prices are checked against the plans: a price per month or
year that no plan has, or a "from" price under the cheapest plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from revloop.engine.truth.catalog import Catalog, Plan, Product
from revloop.engine.truth.quantities import Quantity, quantities, same_amount
from revloop.engine.truth.text import Span

UNKNOWN_PRODUCT = "unknown_product"
UNKNOWN_PLAN = "unknown_plan"
UNKNOWN_INTEGRATION = "unknown_integration"
UNKNOWN_CERTIFICATION = "unknown_certification"
PLAN_PRICE = "plan_price"

_CAP = r"[A-Z][A-Za-z0-9+&-]*(?:\.[A-Za-z0-9]+)*"
_NAME = rf"{_CAP}(?:\s+{_CAP}){{0,2}}"
_PLAN = re.compile(rf"\b({_NAME})\s+(plan|tier|edition|package|bundle)s?\b")
_INTEGRATION_VERB = re.compile(
    r"\b(?:integrat\w*|connect\w*|sync\w*|plugs?|talks?|works?|pairs?)\s+"
    r"(?:directly\s+|natively\s+|seamlessly\s+|out of the box\s+)?(?:with|to|into|in)\s+"
    rf"((?:{_NAME})(?:\s*(?:,|and|or|&)\s*(?:{_NAME}))*)"
)
_INTEGRATION_NOUN = re.compile(rf"\b({_NAME})\s+(?:integration|connector|plug-in|plugin|app)s?\b")
_CERTIFICATIONS = re.compile(
    r"\b(SOC\s?[123](?:\s+Type\s+(?:I{1,2}|[12]))?|ISO(?:/IEC)?\s?\d{4,5}(?::\d{4})?|HIPAA|GDPR|"
    r"PCI[\s-]?DSS|FedRAMP|HITRUST|CSA\s+STAR|Cyber\s+Essentials(?:\s+Plus)?|TISAX|CCPA|"
    r"FIPS\s?140-[23]|IATF\s?16949|HACCP|FDA|ATEX|UL\s?\d{3,4}|IP6[5-9]|NIST\s?800-\d+)",
)
_CERT_CONTEXT = re.compile(r"certif|complian|accredit|audited|attest|approved|rated|standard", re.I)
_GENERIC = frozenset(
    [
        "the",
        "our",
        "your",
        "every",
        "each",
        "all",
        "any",
        "which",
        "this",
        "that",
        "these",
        "those",
        "a",
        "an",
        "one",
        "free",
        "paid",
        "pricing",
        "price",
        "annual",
        "monthly",
        "yearly",
        "basic",
        "standard",
        "right",
        "best",
        "new",
        "most",
        "family",
        "business",
        "data",
        "service",
        "support",
        "premium",
        "custom",
        "top",
        "entry",
        "flexible",
        "simple",
        "other",
        "existing",
        "popular",
        "same",
        "integration",
        "integrations",
        "first",
        "no",
        "some",
    ]
)
_NOT_PRODUCT = frozenset(
    [
        "team",
        "teams",
        "customers",
        "customer",
        "users",
        "user",
        "support",
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "co",
        "blog",
        "academy",
        "partners",
        "partner",
        "community",
        "api",
        "app",
        "apps",
        "mobile",
        "dashboard",
        "dashboards",
        "account",
        "accounts",
        "way",
        "difference",
        "advantage",
        "promise",
        "guarantee",
        "login",
        "portal",
        "website",
        "site",
        "help",
        "docs",
        "experts",
        "engineers",
        "staff",
        "crew",
        "people",
    ]
)
_DENIAL = re.compile(r"\b(not|no|never|without|isn't|aren't|don't|doesn't|won't|yet to)\b", re.I)


@dataclass(frozen=True)
class EntityHit:
    fact: str
    subject: str
    start: int
    end: int
    truth: str
    rewrite: str


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _known(name: str, names: list[str], cutoff: float = 88) -> bool:
    if not names:
        return False
    target = _norm(name)
    if not target:
        return True
    normalised = [_norm(n) for n in names]
    if target in normalised:
        return True
    # A misspelling, not a longer name: "Analytcs" is Analytics, "Analytics Pro" is not.
    close = [n for n in normalised if abs(len(n) - len(target)) <= 2]
    best = process.extractOne(target, close, scorer=fuzz.ratio) if close else None
    return best is not None and best[1] >= cutoff


def _strip_generic(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in _GENERIC:
        words = words[1:]
    return " ".join(words)


def _denied(sentence: Span, start: int) -> bool:
    return _DENIAL.search(sentence.text[: start - sentence.start]) is not None


def _plan_names(catalog: Catalog) -> list[str]:
    return [plan.name for _, plan in catalog.plans]


def _product_names(catalog: Catalog) -> list[str]:
    names: list[str] = []
    for product in catalog.products:
        names.extend([product.name, *product.aliases, *product.features])
        names.extend(
            product.name[len(company) + 1 :]
            for company in catalog.company_names
            if product.name.lower().startswith(company.lower() + " ")
        )
    return names


def _describe_plans(catalog: Catalog) -> str:
    parts = []
    for product in catalog.products:
        if product.plans:
            plans = ", ".join(_plan_text(p) for p in product.plans)
            parts.append(f"{product.name} comes in these plans: {plans}.")
    return " ".join(parts) or f"{catalog.company} sells no named plans."


def _plan_text(plan: Plan) -> str:
    if plan.price is None:
        return f"{plan.name} (priced on request)"
    per = {"month": "/month", "year": "/year", "order": " per order", "unit": " each", "once": ""}[
        plan.per
    ]
    amount = f"{plan.price:,.2f}".removesuffix(".00")
    return f"{plan.name} ({plan.currency} {amount}{per})"


def _describe_products(catalog: Catalog) -> str:
    return f"{catalog.company} sells: " + ", ".join(p.name for p in catalog.products) + "."


def entity_hits(sentence: Span, catalog: Catalog) -> list[EntityHit]:
    hits: list[EntityHit] = []
    hits.extend(_plans(sentence, catalog))
    hits.extend(_products(sentence, catalog, {h.subject for h in hits}))
    if catalog.integrations is not None:
        hits.extend(_integrations(sentence, catalog))
    if catalog.certifications is not None:
        hits.extend(_certifications(sentence, catalog))
    return hits


def _plans(sentence: Span, catalog: Catalog) -> list[EntityHit]:
    known = _plan_names(catalog)
    if not known:
        return []
    hits = []
    companies = [
        *catalog.company_names,
        *(p.name for p in catalog.products),
        *(a for p in catalog.products for a in p.aliases),
    ]
    for m in _PLAN.finditer(sentence.text):
        name = m.group(1)
        for prefix in sorted(companies, key=len, reverse=True):
            if name.lower().startswith(prefix.lower()):
                name = name[len(prefix) :].strip()
                break
        name = _strip_generic(name)
        if not name or name.lower() in _GENERIC or _known(name, known):
            continue
        if _known(name, _product_names(catalog)) or _known(name, list(catalog.company_names)):
            continue
        start = sentence.start + m.start(1) + m.group(1).rfind(name.split()[0])
        if _denied(sentence, start):
            continue
        best = process.extractOne(name, known, scorer=fuzz.WRatio)
        replacement = best[0] if best else known[0]
        hits.append(
            EntityHit(
                UNKNOWN_PLAN,
                name,
                start,
                start + len(name),
                _describe_plans(catalog),
                sentence.text.replace(name, replacement, 1),
            )
        )
    return hits


def _products(sentence: Span, catalog: Catalog, seen: set[str]) -> list[EntityHit]:
    hits = []
    known_products = _product_names(catalog)
    plans = _plan_names(catalog)
    for company in catalog.company_names:
        pattern = re.compile(rf"\b{re.escape(company)}(?:'s)?\s+({_NAME})")
        for m in pattern.finditer(sentence.text):
            words = m.group(1).split()
            # The longest run of capitalised words after the company that is not a
            # known product, plan or an everyday word ("Northwind Support team").
            full = f"{company} {m.group(1)}"
            if _known(full, [p.name for p in catalog.products]) or _known(
                m.group(1), known_products
            ):
                continue
            product_names = [n for p in catalog.products for n in (p.name, *p.aliases)]
            prefix = next(
                (
                    k
                    for k in range(len(words) - 1, 0, -1)
                    if _known(" ".join(words[:k]), product_names)
                    or _known(f"{company} " + " ".join(words[:k]), product_names)
                ),
                0,
            )
            if prefix:
                rest = words[prefix:]
                if all(w.lower() in _NOT_PRODUCT or _known(w, plans) for w in rest):
                    continue
                name = " ".join(rest)
                kind = UNKNOWN_PLAN
            else:
                if (
                    words[0].lower() in _NOT_PRODUCT
                    or words[0].lower() in _GENERIC
                    or _known(words[0], plans)
                ):
                    continue
                name = f"{company} {m.group(1)}"
                kind = UNKNOWN_PRODUCT
            if name in seen or any(name.endswith(s) for s in seen):
                continue
            start = sentence.start + m.start()
            if _denied(sentence, start):
                continue
            truth = (
                _describe_plans(catalog) if kind == UNKNOWN_PLAN else _describe_products(catalog)
            )
            nearest = process.extractOne(
                name,
                [p.name for p in catalog.products] if kind == UNKNOWN_PRODUCT else plans,
                scorer=fuzz.WRatio,
            )
            rewrite = sentence.text.replace(name, nearest[0], 1) if nearest else sentence.text
            hits.append(EntityHit(kind, name, start, sentence.start + m.end(), truth, rewrite))
    return hits


def _integrations(sentence: Span, catalog: Catalog) -> list[EntityHit]:
    known = list(catalog.integrations or ())
    ours = [*catalog.company_names, *_product_names(catalog)]
    hits: list[EntityHit] = []
    names: list[tuple[str, int]] = [
        (part.group(0), m.start(1) + part.start())
        for m in _INTEGRATION_VERB.finditer(sentence.text)
        for part in re.finditer(_NAME, m.group(1))
    ]
    names.extend((m.group(1), m.start(1)) for m in _INTEGRATION_NOUN.finditer(sentence.text))
    for raw, at in names:
        name = _strip_generic(raw)
        if not name or name.lower() in _GENERIC or _known(name, known) or _known(name, ours):
            continue
        start = sentence.start + at + raw.find(name)
        if _denied(sentence, start) or any(h.subject == name for h in hits):
            continue
        listed = ", ".join(known) if known else "none"
        hits.append(
            EntityHit(
                UNKNOWN_INTEGRATION,
                name,
                start,
                start + len(name),
                f"{catalog.company} integrates with: {listed}.",
                sentence.text.replace(name, "your other systems through the API", 1)
                if known
                else sentence.text,
            )
        )
    return hits


def _certifications(sentence: Span, catalog: Catalog) -> list[EntityHit]:
    known = list(catalog.certifications or ())
    hits = []
    for m in _CERTIFICATIONS.finditer(sentence.text):
        name = m.group(1)
        around = sentence.text[max(0, m.start() - 40) : m.end() + 40]
        if not _CERT_CONTEXT.search(around) and not re.search(r"\b(our|we|is|are)\b", around, re.I):
            continue
        if _known(name, known, cutoff=92) or any(_norm(name) in _norm(k) for k in known):
            continue
        start = sentence.start + m.start()
        if _denied(sentence, start):
            continue
        listed = ", ".join(known) if known else "none"
        hits.append(
            EntityHit(
                UNKNOWN_CERTIFICATION,
                name,
                start,
                start + len(name),
                f"{catalog.company} holds these certifications: {listed}.",
                f"Name only the certifications {catalog.company} holds: {listed}.",
            )
        )
    return hits


_NOT_OUR_PRICE = re.compile(
    r"\b(save|saving|savings|cut|reduce|lose|losing|worth|fuel|fine|fines|penalt|spend|ROI|revenue)\w*",
    re.I,
)
_FLOOR_CUES = re.compile(r"\b(from|starting|starts|start at|as low as|only|just|low)\b", re.I)


@dataclass(frozen=True)
class PriceHit:
    quantity: Quantity
    truth: str
    rewrite: str


def price_hits(sentence: Span, catalog: Catalog) -> list[PriceHit]:
    """Subscription prices that no plan has, or a floor under the cheapest plan."""
    priced = [
        (product, plan)
        for product, plan in catalog.plans
        if plan.price is not None and plan.per in ("month", "year")
    ]
    if not priced or _NOT_OUR_PRICE.search(sentence.text):
        return []
    hits = []
    for q in quantities(sentence.text, sentence.start):
        if q.kind != "money" or q.period not in ("month", "year"):
            continue
        candidates = _candidates(sentence, priced)
        monthly = q.amount if q.period == "month" else q.amount / 12
        offered = [
            float(plan.price) if plan.per == "month" else float(plan.price) / 12
            for _, plan in candidates
            if plan.price is not None
        ]
        also = [
            float(plan.price)
            for _, plan in candidates
            if plan.price is not None and plan.per == q.period
        ]
        if any(same_amount(q.amount, price) for price in also) or any(
            same_amount(monthly, o) for o in offered
        ):
            continue
        floor = min(offered)
        if _FLOOR_CUES.search(sentence.text) and monthly >= floor:
            continue
        truth = " ".join(f"{product.name} {_plan_text(plan)}." for product, plan in candidates)
        cheapest = min(
            candidates, key=lambda c: float(c[1].price or 0) / (12 if c[1].per == "year" else 1)
        )[1]
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(
            cheapest.currency, cheapest.currency + " "
        )
        amount = f"{cheapest.price:,.2f}".removesuffix(".00")
        replacement = f"{symbol}{amount}/{cheapest.per}"
        rewrite = (
            sentence.text[: q.start - sentence.start]
            + replacement
            + sentence.text[q.end - sentence.start :]
        )
        hits.append(PriceHit(q, truth, rewrite))
    return hits


def _candidates(sentence: Span, priced: list[tuple[Product, Plan]]) -> list[tuple[Product, Plan]]:
    named = [
        (prod, plan)
        for prod, plan in priced
        if re.search(rf"\b{re.escape(plan.name)}\b", sentence.text, re.I)
    ]
    if named:
        return named
    products = [
        (prod, plan)
        for prod, plan in priced
        if any(
            re.search(rf"\b{re.escape(n)}\b", sentence.text, re.I)
            for n in (prod.name, *prod.aliases)
        )
    ]
    return products or priced
