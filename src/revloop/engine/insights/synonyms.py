"""Words prospects use for the same thing in sales conversations, read as one.

TF-IDF sees "price" and "cost" as unrelated; a rep filing questions does not. These
families are the everyday vocabulary of B2B buying (money, billing, contracts,
integration, security, support, rollout), not any one company's offer, so they
hold for any catalog; a company's own product words need no help, prospects repeat
them.
"""

from __future__ import annotations

from revloop.engine.truth.text import stem

# fmt: off
_FAMILIES: dict[str, tuple[str, ...]] = {
    "price": (
        "price", "prices", "pricing", "priced", "cost", "costs", "costly", "expensive",
        "cheaper", "cheap", "quote", "quoted", "fee", "fees", "rate", "rates", "discount",
        "discounts", "afford", "affordable",
    ),
    "billing": (
        "billing", "billed", "monthly",
        "annually", "annual", "yearly", "prepayment", "prepay", "upfront", "month-to-month",
    ),
    "contract": (
        "contract", "contracts", "term", "terms", "commitment", "commit", "lock-in",
        "locked", "renewal", "renew", "cancel", "cancellation", "notice",
    ),
    "integration": (
        "integrate", "integrates", "integration", "integrations", "connect", "connects",
        "connector", "connectors", "sync", "syncs", "synchronise", "synchronize", "api",
        "apis", "plug", "plugs",
    ),
    # Buyers ask about privacy and security in one review.
    "security": (
        "privacy", "private", "gdpr", "hosted", "hosting", "host", "stored", "storage",
        "residency", "sovereignty", "security", "secure", "encrypted", "encryption",
        "pentest", "audit", "audits",
    ),
    "support": ("support", "helpdesk", "hotline", "escalation"),
    "rollout": (
        "install", "installation", "installed", "installing", "rollout", "onboarding",
        "onboard", "setup", "deploy", "deployment", "implementation", "implement",
    ),
    "vehicle": ("vehicle", "vehicles", "truck", "trucks", "van", "vans"),
    "driver": ("driver", "drivers", "operator", "operators"),
    "battery": ("battery", "batteries", "recharge", "recharging"),
}
# fmt: on

#: stem → the family's name.
SYNONYMS: dict[str, str] = {
    stem(word): family for family, members in _FAMILIES.items() for word in members
}


def concept(stemmed: str) -> str:
    return SYNONYMS.get(stemmed, stemmed)
