"""Parsers for the values CRM exports contain: dates, times, money, whole numbers.

Every parser raises :class:`BadValue` whose message is the reason shown to the user.

Dates and times (:func:`parse_datetime`, :func:`parse_date`) accept:

* ISO 8601 with or without a zone: ``2024-03-05T14:02:00Z``, ``2024-03-05T14:02+01:00``,
  ``2024-03-05 14:02`` (HubSpot's export), ``2024-03-05``, also ``2024/03/05``;
* slashed dates: ``3/5/2024 2:02 PM``, ``3/5/2024, 14:02`` (Salesforce, US locale). The
  order is month/day unless ``date_order="dmy"`` (UK and most of Europe); a value that
  does not fit the order (``13/03/2024`` read as month/day) is an error, never silently
  re-read the other way, because a file that mixes orders is wrong in both directions;
* dotted dates, always day.month.year: ``05.03.2024``, ``5.3.2024 14:02``;
* two-digit years (what Excel writes when it re-saves a CSV: ``3/5/24``) mean 2000-2099;
* AM/PM, seconds and fractions of seconds; a zone as ``Z``, ``UTC``, ``GMT`` or an
  offset (``+01:00``, ``+0100``, ``-05``).

A value without a zone is read in ``default_tz`` (the import's time zone), so results are
always time-zone aware. A wall time that a DST change skips or repeats takes the offset
in force before the change (Python's ``fold=0``).

Money (:func:`parse_amount`): currency symbols or ISO codes before or after the number,
thousands separators (``,`` ``.`` space, apostrophe), negative as ``-`` or
``(accounting)``. The decimal separator is recognised whenever it is unambiguous:
``1.234,56`` and ``1,234.56``, ``1,5`` and ``1.5``, ``1.234.567``. A lone separator
followed by exactly three digits (``1,234`` / ``1.234``) is the one ambiguous case; it is
read with ``decimal_separator`` (default ``.``: ``1,234`` = 1234 and ``1.234`` = 1.234).
A dash where the number should be (``$-``, ``" $-   "``, ``-``), as accounting formats
show zero, is 0.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Literal

DateOrder = Literal["mdy", "dmy"]


class BadValue(ValueError):  # noqa: N818 - reads as "a bad value"
    """A value that cannot be read; the message says why, for the error report."""


# -- dates and times ---------------------------------------------------------------

_TIME = (
    r"(?:(?:[T ]|,\s*|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?)?"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
)
_ISO = re.compile(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})" + _TIME + "$")
_SLASH = re.compile(r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})" + _TIME + "$")
_DOT = re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})\.?" + _TIME + "$")


def parse_datetime(
    text: str, default_tz: tzinfo = UTC, *, date_order: DateOrder = "mdy"
) -> datetime:
    """An aware datetime from ``text`` (formats in the module doc)."""
    value = text.strip()
    if not value:
        raise BadValue("empty")
    if len(value) >= 10 and value[4] == "-" and value[:4].isdigit():
        try:  # the common ISO case at C speed; odd ISO variants fall through to the regex
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_tz)
    return _parse_with_regex(value, default_tz, date_order)


def parse_date(text: str, default_tz: tzinfo = UTC, *, date_order: DateOrder = "mdy") -> date:
    """A calendar date; a value with a time and zone is first moved into ``default_tz``."""
    moment = parse_datetime(text, default_tz, date_order=date_order)
    return moment.astimezone(default_tz).date()


def _parse_with_regex(value: str, default_tz: tzinfo, date_order: DateOrder) -> datetime:
    if match := _ISO.match(value):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    elif match := _SLASH.match(value):
        first, second = int(match["a"]), int(match["b"])
        month, day = (first, second) if date_order == "mdy" else (second, first)
        if month > 12:
            order = "month/day/year" if date_order == "mdy" else "day/month/year"
            raise BadValue(f"not a date in {order} order (month {month})")
        year = _year(match["y"])
    elif match := _DOT.match(value):
        year, month, day = _year(match["y"]), int(match["m"]), int(match["d"])
    else:
        raise BadValue("not a date or time in a known format (e.g. 2024-03-05 14:02)")
    hour, minute, second, micro = _clock(match)
    try:
        moment = datetime(year, month, day, hour, minute, second, micro)  # noqa: DTZ001 - zone set below
    except ValueError as exc:
        raise BadValue(f"impossible date or time ({exc})") from None
    zone = match["zone"]
    if zone is None:
        return moment.replace(tzinfo=default_tz)
    return moment.replace(tzinfo=_zone(zone))


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _clock(match: re.Match[str]) -> tuple[int, int, int, int]:
    if match["H"] is None:
        return 0, 0, 0, 0
    hour, minute = int(match["H"]), int(match["M"])
    second = int(match["S"] or 0)
    micro = int((match["f"] or "0")[:6].ljust(6, "0"))
    ampm = match["ampm"]
    if ampm:
        if not 1 <= hour <= 12:
            raise BadValue(f"hour {hour} with AM/PM")
        pm = ampm[0] in "Pp"
        hour = hour % 12 + (12 if pm else 0)
    return hour, minute, second, micro


def _zone(text: str) -> tzinfo:
    if text in {"Z", "UTC", "GMT"}:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise BadValue(f"impossible time-zone offset {text}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# -- money -------------------------------------------------------------------------

#: Symbols and the currency they stand for. "$" means USD unless the import's default
#: currency is another dollar; "¥" means JPY (write CNY explicitly for yuan).
CURRENCY_SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "S$": "SGD",
    "HK$": "HKD",
    "R$": "BRL",
    "MX$": "MXN",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₽": "RUB",
    "₩": "KRW",
    "₺": "TRY",
    "₪": "ILS",
    "zł": "PLN",
    "Fr.": "CHF",
    "$": "USD",
}
_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"})
_AMBIGUOUS_SYMBOLS = {"kr": "SEK, NOK, DKK or ISK", "kr.": "SEK, NOK, DKK or ISK"}
_CODE = re.compile(r"^[A-Za-z]{3}$")
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True))
_MONEY = re.compile(
    rf"^(?P<pre>{_SYMBOL_RE}|[A-Za-z]{{3}}|kr\.?)?\s*(?P<num>[-+]?[\d.,' ]*\d[\d.,' ]*)"
    rf"\s*(?P<post>{_SYMBOL_RE}|[A-Za-z]{{3}}|kr\.?)?$"
)
_ACCOUNTING_ZERO = re.compile(
    rf"^(?P<pre>{_SYMBOL_RE}|[A-Za-z]{{3}})?\s*[-\u2010-\u2015]+\s*(?P<post>{_SYMBOL_RE}|[A-Za-z]{{3}})?$"
)
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})


def parse_currency(text: str, default: str = "USD") -> str:
    """An ISO 4217 code from a code (``eur``) or symbol (``€``); empty text gives ``default``."""
    value = text.strip()
    if not value:
        return default
    if value in _AMBIGUOUS_SYMBOLS:
        raise BadValue(f"{value!r} could be {_AMBIGUOUS_SYMBOLS[value]}; use the ISO code")
    if value in CURRENCY_SYMBOLS:
        code = CURRENCY_SYMBOLS[value]
        return default if code == "USD" and value == "$" and default in _DOLLARS else code
    if _CODE.match(value):
        return value.upper()
    raise BadValue("not a currency code (e.g. USD, EUR)")


def parse_amount(
    text: str, *, default_currency: str = "USD", decimal_separator: str = "."
) -> tuple[Decimal, str]:
    """``(amount, currency)`` from ``"$1,234.50"``, ``"1.234,50 €"``, ``"(200) EUR"``, ..."""
    value = text.translate(_SPACES).strip()
    if not value:
        raise BadValue("empty")
    if zero := _ACCOUNTING_ZERO.match(value):
        if zero["pre"] and zero["post"]:
            raise BadValue("two currency markers")
        return Decimal(0), parse_currency(zero["pre"] or zero["post"] or "", default_currency)
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1].strip()
    if value.endswith("-"):  # "1.234,50-" as some ERPs write it
        negative, value = True, value[:-1].strip()
    if value.startswith("-") and not value[1:2].isdigit():  # "-$5"
        negative, value = True, value[1:].strip()
    if _SCIENTIFIC.match(value.lstrip("+-")):  # Excel's "1.2E+5" for large amounts
        amount = Decimal(value.lstrip("+-"))
        negative = negative or value.startswith("-")
        return (-amount if negative else amount), default_currency
    match = _MONEY.match(value)
    if match is None:
        raise BadValue("not an amount (e.g. 1234.50 or $1,234.50)")
    pre, post = match["pre"], match["post"]
    if pre and post:
        raise BadValue("two currency markers")
    currency = parse_currency(pre or post or "", default_currency)
    number = match["num"].strip()
    if number[0] in "+-":
        negative = negative or number[0] == "-"
        number = number[1:]
    amount = _decimal(number, decimal_separator)
    return (-amount if negative else amount), currency


def _decimal(number: str, decimal_separator: str) -> Decimal:
    digits = number.replace(" ", "").replace("'", "")
    if _SCIENTIFIC.match(digits):
        return Decimal(digits)
    separators = [c for c in digits if c in ".,"]
    if not separators:
        return _to_decimal(digits)
    last = separators[-1]
    if len(set(separators)) == 2:
        decimal_mark = last
    elif separators.count(last) > 1:
        decimal_mark = ""  # "1.234.567": only grouping
    else:
        integer, _, fraction = digits.partition(last)
        if len(fraction) != 3 or integer in {"", "0"}:
            decimal_mark = last
        else:
            decimal_mark = last if last == decimal_separator else ""
    if decimal_mark:
        integer, _, fraction = digits.rpartition(decimal_mark)
    else:
        integer, fraction = digits, ""
    grouping = integer.replace(",", ".").split(".")
    if len(grouping) > 1 and not _valid_grouping(grouping):
        raise BadValue("unclear number: thousands separators in odd places")
    if not fraction.isdigit() and fraction:
        raise BadValue("unclear number: more than one decimal separator")
    return _to_decimal("".join(grouping) + ("." + fraction if fraction else ""))


def _valid_grouping(groups: list[str]) -> bool:
    if not 1 <= len(groups[0]) <= 3 and groups[0] != "":
        return False
    # Western groups of three, or Indian lakh/crore groups of two before the last three.
    tail = groups[1:]
    return len(tail[-1]) == 3 and all(len(g) in {2, 3} for g in tail[:-1])


def _to_decimal(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue("not a number") from None
    if not amount.is_finite():
        raise BadValue("not a finite number")
    return amount


# -- whole numbers -------------------------------------------------------------------

_RANGE = re.compile(r"^(?P<low>[\d.,' ]+)\s*(?:-|\u2013|to)\s*(?P<high>[\d.,' ]+)$")


def parse_int(text: str) -> int:
    """A whole number: ``1,200``, ``1.200``, ``1 200``, ``1200.0`` (as Excel writes it)."""
    value = text.translate(_SPACES).strip()
    if not value:
        raise BadValue("empty")
    sign = -1 if value.startswith("-") else 1
    number = value.lstrip("+-").strip()
    if not number or not set(number) <= set("0123456789.,' "):
        raise BadValue("not a whole number")
    amount = _decimal(number, "")  # no decimal mark preferred: "1.200" is 1200 people
    if amount != amount.to_integral_value():
        raise BadValue("not a whole number")
    return sign * int(amount)


def parse_employee_count(text: str) -> int:
    """Employees: a number, ``10,001+``, or a band like ``51-200`` (read as its lower end).

    Bands are how LinkedIn and many CRM picklists record company size; their lower end
    keeps fit rules such as "at least 200 employees" honest.
    """
    value = text.strip().rstrip("+").strip()
    if match := _RANGE.match(value):
        low, high = parse_int(match["low"]), parse_int(match["high"])
        if low > high:
            raise BadValue("band goes from high to low")
        return low
    count = parse_int(value)
    if count < 0:
        raise BadValue("negative")
    return count


# -- yes / no ------------------------------------------------------------------------

_TRUE = frozenset({"1", "true", "t", "yes", "y", "x", "checked", "won", "closed"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "unchecked", "open"})


def parse_flag(text: str) -> bool:
    """A checkbox as exports write it: ``1``/``0``, ``true``/``false``, ``yes``/``no``."""
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadValue("not a yes/no value (e.g. 1 or 0, true or false)")


# -- Salesforce ids ------------------------------------------------------------------

_SALESFORCE_ID = re.compile(r"^[a-zA-Z0-9]{15}$")
_SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id_18(text: str) -> str:
    """The 18-character, case-safe form of a 15-character Salesforce id; others unchanged.

    Salesforce shows one record's id in both forms (reports often in 15, the API and
    "ID (18 Digit)" columns in 18); storing the 18 makes files of either kind meet.
    Each added character encodes which of five characters of the id are upper case.
    """
    if not _SALESFORCE_ID.match(text):
        return text
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(text[start : start + 5]) if "A" <= char <= "Z")
        suffix += _SUFFIX_CHARS[bits]
    return text + suffix
