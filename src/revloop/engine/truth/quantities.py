"""Numbers in copy with what they count: durations, money, percentages, things.

Durations are compared in days (a month is 30, a year 365), so "24-month warranty"
agrees with a two-year one; "lifetime" and "forever" are an infinite duration.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from revloop.engine.truth.text import stem

_WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "hundred": 100,
}
_NUMBER = r"(\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")"
_DAYS_PER = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_DURATION = re.compile(
    _NUMBER + r"[\s-]*(?:full\s+|whole\s+|calendar\s+)?(hour|day|week|month|year)s?\b",
    re.IGNORECASE,
)
_FOREVER = re.compile(
    r"\b(lifetime|life-time|for life|forever|lifelong|for as long as you own)\b", re.I
)
_MONEY = re.compile(
    r"(?:([$€£])\s?(\d[\d,]*(?:\.\d+)?)(k\b)?|(\d[\d,]*(?:\.\d+)?)\s?(USD|EUR|GBP|dollars|euros|pounds)\b)"
    r"(?:\s*(?:/|per|a|an|each|every)\s*(month|mo|year|yr|annum|order|kit|unit|user|seat|vehicle)\b)?",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_CODES = {
    "usd": "USD",
    "dollars": "USD",
    "eur": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "pounds": "GBP",
}
_PERIODS = {"mo": "month", "month": "month", "year": "year", "yr": "year", "annum": "year"}


@dataclass(frozen=True)
class Quantity:
    kind: str  # "days", "money", "percent" or a counted thing's stem ("vehicl")
    amount: float
    start: int
    end: int
    text: str
    currency: str = ""
    period: str = ""


def _number(text: str) -> float | None:
    word = text.lower()
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word])
    try:
        return float(Decimal(text.replace(",", "")))
    except InvalidOperation:
        return None


def quantities(text: str, offset: int = 0) -> list[Quantity]:
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(q: Quantity) -> None:
        if any(q.start < e and s < q.end for s, e in taken):
            return
        taken.append((q.start, q.end))
        found.append(q)

    taken.extend(
        (offset + m.start(), offset + m.end())
        for m in re.finditer(r"24/7|24x7|24 hours a day", text)
    )
    for m in _MONEY.finditer(text):
        raw = m.group(2) or m.group(4)
        amount = _number(raw)
        if amount is None:
            continue
        if m.group(3):
            amount *= 1000
        currency = _SYMBOLS.get(m.group(1) or "", "") or _CODES.get((m.group(5) or "").lower(), "")
        period = (m.group(6) or "").lower()
        add(
            Quantity(
                "money",
                amount,
                offset + m.start(),
                offset + m.end(),
                m.group(0),
                currency,
                _PERIODS.get(period, period),
            )
        )
    for m in _PERCENT.finditer(text):
        add(
            Quantity("percent", float(m.group(1)), offset + m.start(), offset + m.end(), m.group(0))
        )
    for m in _DURATION.finditer(text):
        number = _number(m.group(1))
        if number is None:
            continue
        days = number * _DAYS_PER[m.group(2).lower()]
        add(Quantity("days", days, offset + m.start(), offset + m.end(), m.group(0)))
    for m in _FOREVER.finditer(text):
        add(Quantity("days", math.inf, offset + m.start(), offset + m.end(), m.group(0)))
    for m in re.finditer(_NUMBER + r"\s+([A-Za-z]+)", text, re.IGNORECASE):
        number = _number(m.group(1))
        if number is None or m.group(1).lower() in ("a", "an"):
            continue
        add(Quantity(stem(m.group(2)), number, offset + m.start(), offset + m.end(), m.group(0)))
    return sorted(found, key=lambda q: q.start)


def expected_kind(unit: str) -> tuple[str, float]:
    """What a catalog value's unit is compared as, and its factor: ``months`` are days times 30."""
    if unit in ("hours", "days", "weeks", "months", "years"):
        return "days", float(_DAYS_PER[unit[:-1]])
    if unit == "price":
        return "money", 1.0
    if unit == "percent":
        return "percent", 1.0
    return stem(unit), 1.0


def same_amount(claimed: float, expected: float) -> bool:
    if math.isinf(claimed) or math.isinf(expected):
        return claimed == expected
    return abs(claimed - expected) <= max(0.02 * expected, 0.005)
