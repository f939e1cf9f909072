"""The paraphrase lexicon: many ways copy says one thing, and the words that deny it.

Each concept lists phrases that assert it; a phrase starting with ``!`` asserts its
opposite ("we charge for shipping" says shipping is *not* free). Phrases are matched
longest first over stems, so "no extra charge" reads as *free* before "no" and
"charge" are read one by one. The catalog's own claims and examples are read with
the same lexicon, so a fact needs no list of keywords of its own.
"""

from __future__ import annotations

from functools import lru_cache

from revloop.engine.truth.text import stem, tokens

CONCEPTS: dict[str, tuple[str, ...]] = {
    "FREE": (
        "we cover",
        "we pay for",
        "we pay the",
        "costs you nothing",
        "cost you nothing",
        "for nothing",
        "free",
        "for free",
        "free of charge",
        "complimentary",
        "gratis",
        "at no cost",
        "no cost",
        "no charge",
        "at no charge",
        "no extra charge",
        "no extra cost",
        "no additional cost",
        "no additional charge",
        "no extra fee",
        "no added cost",
        "without charge",
        "without cost",
        "zero cost",
        "$0",
        "on us",
        "on the house",
        "pay nothing",
        "costs nothing",
        "cost nothing",
        "nothing to pay",
        "included",
        "no fee",
        "fee free",
        "zero fee",
        "free ride",
        "pay zero",
        "pay $0",
        "!charge",
        "!fee",
        "!paid",
        "!pay for",
        "!cost",
        "!at cost",
        "!extra",
        "!surcharge",
        "!billed",
        "!billed separately",
        "!flat fee",
        "!flat rate",
        "!flat",
        "!price",
        "!priced",
        "!pay",
        "!costs extra",
        "!add-on",
        "!invoiced",
        "!chargeable",
    ),
    "SHIP": (
        "ship",
        "shipping",
        "shipment",
        "delivery",
        "deliver",
        "freight",
        "postage",
        "courier",
        "to your door",
        "to your doorstep",
        "dispatch",
        "posted to you",
    ),
    "MONEY_BACK": (
        "money back",
        "money-back guarantee",
        "money back guarantee",
        "refund",
        "refundable",
        "full refund",
        "reimburse",
        "every cent back",
        "refund every cent",
        "your money back",
        "money-back",
        "risk free",
        "risk-free",
        "no risk",
        "satisfaction guaranteed",
        "100% satisfaction guarantee",
        "return it for a full refund",
        "give you every cent back",
        "back every cent",
        "every penny back",
        "refund every penny",
        "get back what you paid",
        "back what you paid",
        "get your money back",
        "money ... back",
        "refund ... in full",
        "!all sales are final",
        "!all sales final",
        "!non-refundable",
        "!nonrefundable",
    ),
    "TRIAL": (
        "trial",
        "free trial",
        "pilot",
        "try",
        "test drive",
        "try before you buy",
        "evaluation",
        "evaluate",
        "trial period",
    ),
    "WARRANTY": (
        "warranty",
        "warranted",
        "guarantee against defects",
        "guaranteed against defects",
    ),
    "MIGRATION": (
        "migration",
        "migrate",
        "switch over",
        "move your data",
        "bring your data",
        "move your history",
        "import your history",
        "data import",
        "transfer your data",
        "carry ... across",
        "carry ... over",
        "bring ... across",
        "move ... data",
        "bring ... data",
        "transfer ... data",
        "import ... data",
        "move ... history",
        "bring ... history",
        "switch ... data",
        "move your trip history",
        "bring over",
        "carry over your data",
        "move over",
    ),
    "INSTALL": ("install", "installation", "installer", "setup", "set up", "fitting", "fit"),
    "ONSITE": ("on-site", "onsite", "on site", "at your site", "at your depot", "come to you"),
    "SUPPORT": (
        "pick up the phone",
        "picks up the phone",
        "answer the phone",
        "support",
        "helpdesk",
        "help desk",
        "customer service",
        "service desk",
        "get help",
        "reach a human",
        "talk to a person",
        "talk to an engineer",
        "assistance",
    ),
    "ALWAYS_ON": (
        "24/7",
        "24x7",
        "24 hours a day",
        "around the clock",
        "round the clock",
        "day and night",
        "day or night",
        "any hour",
        "365 days a year",
        "every hour of the day",
        "whenever you need",
        "at any hour",
        "nights and weekends",
        "at 2 a.m.",
        "at 3 a.m.",
        "at 2 am",
        "at 3 am",
        "in the middle of the night",
        "on a sunday",
        "on sundays",
        "on weekends",
        "never sleeps",
        "never sleep",
        "never closes",
        "always on",
        "always available",
        "always open",
    ),
    "CANCEL_ANYTIME": (
        "cancel",
        "cancellation",
        "cancel anytime",
        "cancel at any time",
        "cancel any time",
        "no contract",
        "no long-term contract",
        "no commitment",
        "no lock-in",
        "month-to-month",
        "!annual contract",
        "!annual commitment",
        "!locked in",
        "!lock-in",
        "!minimum term",
        "!12-month commitment",
    ),
    "MONTHLY_BILLING": (
        "billed monthly",
        "monthly billing",
        "pay monthly",
        "pay month by month",
        "monthly plan",
        "monthly subscription",
        "pay by the month",
        "!billed annually",
        "!annual billing",
        "!billed yearly",
        "!paid annually",
        "!annually",
    ),
    "USER": ("user", "seat", "login", "licence", "license", "named user"),
    "ONBOARDING": (
        "onboarding",
        "getting started",
        "get started",
        "set you up",
        "set ... up for you",
        "kickoff",
        "implementation",
    ),
    "UNLIMITED": (
        "unlimited",
        "no limit",
        "no limits",
        "as many as you want",
        "no cap",
        "limitless",
    ),
    "DISCOUNT": ("discount", "% off", "percent off", "off list price", "reduced price"),
}

#: Words that deny what follows them.
NEGATORS = frozenset(
    stem(w) for w in ("not", "no", "never", "without", "none", "nor", "neither", "non", "nothing")
)
#: Phrases that look negative but deny nothing ("not only", "no matter").
NEUTRAL_PHRASES = (
    "not only",
    "no matter",
    "no wonder",
    "no doubt",
    "no surprise",
    "no hidden fees",
    "no hidden fee",
    "no hidden costs",
    "no hidden charges",
    "no surprises",
    "never miss",
    "never lose",
    "no more",
    "no longer have to",
    "not just",
)
#: Words a denial passes over on its way to what it denies.
TRANSPARENT = frozenset(
    stem(w)
    for w in (
        [
            "a",
            "an",
            "the",
            "our",
            "your",
            "their",
            "its",
            "it",
            "this",
            "that",
            "these",
            "those",
            "we",
            "you",
            "they",
            "us",
            "i",
            "me",
            "my",
            "is",
            "are",
            "be",
            "been",
            "being",
            "was",
            "were",
            "am",
            "do",
            "does",
            "did",
            "will",
            "would",
            "shall",
            "should",
            "can",
            "could",
            "may",
            "might",
            "must",
            "have",
            "has",
            "had",
            "get",
            "gets",
            "got",
            "give",
            "gives",
            "offer",
            "offers",
            "offered",
            "provide",
            "provides",
            "come",
            "comes",
            "with",
            "really",
            "ever",
            "always",
            "just",
            "also",
            "yet",
            "even",
            "any",
            "all",
            "every",
            "one",
            "ones",
            "so",
            "currently",
            "actually",
            "truly",
            "still",
            "quite",
            "fully",
            "entirely",
            "completely",
            "offering",
            "providing",
            "charge",
            "for",
            "make",
            "makes",
            "to",
            "for",
            "of",
            "on",
            "in",
            "at",
            "by",
            "as",
            "up",
        ]
    )
    if w not in ("charge", "for")
) | {"for"}
#: Nouns that attribute what follows to someone other than the company.
OTHERS = frozenset(
    stem(w)
    for w in (
        [
            "competitor",
            "competitors",
            "rival",
            "rivals",
            "others",
            "other",
            "vendors",
            "providers",
            "incumbents",
            "incumbent",
            "legacy",
            "big",
            "guys",
            "alternatives",
            "alternative",
        ]
    )
)
FIRST_PERSON = frozenset({"we", "our", "us", "ours", "we'r", "we'll", "we'v", "we'd"})
AFFIRMATIONS = frozenset(
    stem(w)
    for w in [
        "yes",
        "yep",
        "yeah",
        "yup",
        "absolutely",
        "definitely",
        "sure",
        "certainly",
        "indeed",
        "always",
    ]
) | {"of course"}
DENIALS = frozenset(stem(w) for w in ["no", "nope", "never", "nah"])


#: Stands for up to :data:`MAX_GAP` words inside a phrase ("move ... data").
GAP = "…"
MAX_GAP = 4


def _stems(phrase: str) -> tuple[str, ...]:
    parts = [tuple(t.stem for t in tokens(part)) for part in phrase.split("...")]
    out: list[str] = []
    for number, part in enumerate(parts):
        if number:
            out.append(GAP)
        out.extend(part)
    return tuple(out)


@lru_cache(maxsize=1)
def phrase_table() -> tuple[tuple[tuple[str, ...], str, int], ...]:
    """(stems, concept, sign) for every phrase, longest first; concept ``""`` is neutral."""
    table: list[tuple[tuple[str, ...], str, int]] = []
    for concept, phrases in CONCEPTS.items():
        for phrase in phrases:
            sign = -1 if phrase.startswith("!") else 1
            stems = _stems(phrase.lstrip("!"))
            if stems:
                table.append((stems, concept, sign))
    table.extend((tuple(t.stem for t in tokens(phrase)), "", 1) for phrase in NEUTRAL_PHRASES)
    table.sort(key=lambda entry: -len(entry[0]))
    return tuple(table)


@lru_cache(maxsize=1)
def phrase_index() -> dict[str, tuple[tuple[tuple[str, ...], str, int], ...]]:
    """Phrases by their first stem, longest first, for a quick scan."""
    index: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
    for entry in phrase_table():
        index.setdefault(entry[0][0], []).append(entry)
    return {key: tuple(value) for key, value in index.items()}
