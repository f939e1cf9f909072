"""Email normalisation: one spelling per mailbox, so imports never create case duplicates.

Two strings come out of :func:`normalize_email`:

``address``
    The address as it should be stored and shown: surrounding whitespace removed,
    Unicode NFKC-normalised (full-width at sign U+FF20 becomes ``@``), lower-cased, and the
    domain in its ASCII (IDNA / punycode) form. Local parts are case-sensitive in
    RFC 5321 on paper, but no mail provider revloop's users deal with treats them so,
    and case duplicates are the commonest import bug in CRMs.

``canonical``
    The identity key used to find duplicates. Equal to ``address`` except for the
    providers in :data:`PROVIDER_RULES`, whose documented behaviour lets several
    spellings reach one mailbox:

    ========================================  ============  ==========  ================
    domains                                   ``+tag``      dots        canonical domain
    ========================================  ============  ==========  ================
    gmail.com, googlemail.com                 removed       removed     gmail.com
    outlook.*, hotmail.*, live.*, msn.com     removed       kept        (unchanged)
    icloud.com, me.com, mac.com               removed       kept        (unchanged)
    fastmail.com, fastmail.fm                 removed       kept        (unchanged)
    proton.me, protonmail.com/.ch, pm.me      removed       kept        (unchanged)
    yandex.*, ya.ru                           removed       kept        (unchanged)
    posteo.de/.net, mailbox.org, hey.com,     removed       kept        (unchanged)
    zoho.com, zohomail.com, runbox.com
    ========================================  ============  ==========  ================

    Everything else (corporate domains included) keeps ``+tag`` and dots: a company's
    mail server may or may not do sub-addressing, and merging two real colleagues is
    worse than missing one duplicate. Yahoo is absent on purpose: its disposable
    addresses use ``-`` with a per-account keyword, which cannot be undone from the
    address alone. When removing the tag or the dots would leave nothing
    (``+news@gmail.com``), the local part is kept whole.

The domain is converted with Python's built-in IDNA 2003 codec (the ``idna`` package is
not a dependency); that maps a few rare characters (``ß`` → ``ss``) differently from
IDNA 2008, which only matters for domains that use them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from revloop.engine.identity.freemail import is_free_mail_domain

MAX_ADDRESS_LENGTH = 254  # RFC 5321 path limit minus the angle brackets
MAX_LOCAL_LENGTH = 64
MAX_DOMAIN_LENGTH = 253
MAX_LABEL_LENGTH = 63

# Characters that are "specials" in RFC 5322 and only legal inside a quoted local
# part; quoted local parts are rejected outright because no CRM stores them reliably.
_LOCAL_SPECIALS = frozenset('"(),:;<>[\\]')
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True, slots=True)
class ProviderRule:
    """What a mail provider ignores in the local part, and its main domain."""

    strip_plus: bool
    strip_dots: bool = False
    canonical_domain: str | None = None


_GMAIL = ProviderRule(strip_plus=True, strip_dots=True, canonical_domain="gmail.com")
_PLUS = ProviderRule(strip_plus=True)

_PLUS_ONLY_DOMAINS = (
    "outlook.com",
    "outlook.de",
    "outlook.fr",
    "outlook.es",
    "outlook.it",
    "outlook.jp",
    "outlook.co.uk",
    "outlook.com.au",
    "outlook.com.br",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.de",
    "hotmail.fr",
    "hotmail.it",
    "hotmail.es",
    "hotmail.nl",
    "hotmail.be",
    "hotmail.ca",
    "hotmail.com.au",
    "hotmail.com.br",
    "live.com",
    "live.co.uk",
    "live.de",
    "live.fr",
    "live.it",
    "live.nl",
    "live.ca",
    "live.com.au",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "fastmail.com",
    "fastmail.fm",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "yandex.ru",
    "yandex.com",
    "yandex.by",
    "yandex.kz",
    "yandex.ua",
    "ya.ru",
    "posteo.de",
    "posteo.net",
    "mailbox.org",
    "hey.com",
    "zoho.com",
    "zohomail.com",
    "runbox.com",
)

#: Domains whose sub-addressing behaviour is documented by the provider (see module doc).
PROVIDER_RULES: dict[str, ProviderRule] = {
    "gmail.com": _GMAIL,
    "googlemail.com": _GMAIL,
    **dict.fromkeys(_PLUS_ONLY_DOMAINS, _PLUS),
}


class InvalidEmail(ValueError):  # noqa: N818 - reads as "the email is invalid"
    """The text is not a usable email address; ``reason`` says what is wrong with it."""

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        self.reason = reason
        shown = value if isinstance(value, str) else type(value).__name__
        if isinstance(shown, str) and len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"invalid email {shown!r}: {reason}")


class NormalizedEmail(NamedTuple):
    """An email address in its stored form (``address``) and identity form (``canonical``).

    A named tuple rather than a dataclass because imports build millions of them and a
    tuple is several times cheaper to create; it is just as immutable.
    """

    address: str
    canonical: str
    local: str
    domain: str
    is_free_mail: bool

    def __str__(self) -> str:
        return self.address


def normalize_email(raw: object) -> NormalizedEmail:
    """Clean ``raw`` into a :class:`NormalizedEmail`, or raise :class:`InvalidEmail`.

    Any input is accepted (the CSV and API paths hand over whatever they got); anything
    that is not a string, or not a plausible address, raises :class:`InvalidEmail`
    with a reason, never another exception.
    """
    if not isinstance(raw, str):
        raise InvalidEmail(raw, f"expected text, got {type(raw).__name__}")
    return _normalize(raw)


def normalized_parts(address: str, canonical: str) -> NormalizedEmail:
    """The :class:`NormalizedEmail` of an ``address`` that ``normalize_email`` already gave.

    For a caller that kept only the two strings (a frame column, another process):
    rebuilding is a split and a set lookup, not a second validation.
    """
    local, _, domain = address.rpartition("@")
    return NormalizedEmail(address, canonical, local, domain, is_free_mail_domain(domain))


def canonical_email(raw: object) -> str:
    """The identity key of ``raw`` (see the module doc); raises :class:`InvalidEmail`."""
    return normalize_email(raw).canonical


#: Plain ASCII addresses that need nothing but case folding and trimming of spaces and
#: tabs: the local part uses printable ASCII minus RFC 5322 specials, the domain LDH
#: labels and an alphabetic TLD. Such input takes a short path with the same result as
#: the full one (tests check both; dedupe.py runs the same pattern in polars).
FAST_ASCII_EMAIL = (
    r"^[ \t]*([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64})"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})\.?[ \t]*$"
)
_FAST = re.compile(FAST_ASCII_EMAIL)


@lru_cache(maxsize=131_072)
def _normalize(raw: str) -> NormalizedEmail:
    # Cached because imports see the same address many times (every touch of a person).
    match = _FAST.fullmatch(raw)
    if match is not None:
        local, domain = match.group(1).lower(), match.group(2).lower()
        if len(local) + len(domain) < MAX_ADDRESS_LENGTH:
            return NormalizedEmail(
                address=f"{local}@{domain}",
                canonical=_canonical(local, domain),
                local=local,
                domain=domain,
                is_free_mail=is_free_mail_domain(domain),
            )
    return _normalize_slowly(raw)


def _normalize_slowly(raw: str) -> NormalizedEmail:
    text = _clean(raw)
    if not text:
        raise InvalidEmail(raw, "empty")
    if "@" not in text:
        raise InvalidEmail(raw, "no @")
    local, _, domain_text = text.rpartition("@")
    if "@" in local:
        raise InvalidEmail(raw, "more than one @")
    if not local:
        raise InvalidEmail(raw, "nothing before the @")
    _check_local(raw, local)
    domain = _ascii_domain(raw, domain_text)
    address = f"{local}@{domain}"
    if len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidEmail(raw, f"too long ({len(address)} > {MAX_ADDRESS_LENGTH} characters)")
    return NormalizedEmail(
        address=address,
        canonical=_canonical(local, domain),
        local=local,
        domain=domain,
        is_free_mail=is_free_mail_domain(domain),
    )


def _clean(raw: str) -> str:
    # NFKC and lower() do not always commute (a few compatibility characters lower-case
    # into non-NFKC sequences), so repeat until stable to keep normalisation idempotent.
    text = raw
    for _ in range(4):
        step = unicodedata.normalize("NFKC", text).strip().lower()
        if step == text:
            break
        text = step
    return text


def _check_local(raw: str, local: str) -> None:
    if len(local.encode("utf-8", "surrogatepass")) > MAX_LOCAL_LENGTH:
        raise InvalidEmail(raw, f"part before the @ is longer than {MAX_LOCAL_LENGTH} bytes")
    for char in local:
        if char in _LOCAL_SPECIALS:
            raise InvalidEmail(raw, f"character {char!r} is not allowed before the @")
        if char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            raise InvalidEmail(raw, f"invisible or control character {char!r} before the @")


def _ascii_domain(raw: str, domain: str) -> str:
    if domain.endswith("."):
        domain = domain[:-1]  # the root dot is legal DNS but never part of a mailbox
    if not domain:
        raise InvalidEmail(raw, "no domain after the @")
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidEmail(raw, f"domain {domain!r} has no dot")
    ascii_labels = [_ascii_label(raw, label) for label in labels]
    tld = ascii_labels[-1]
    if not (tld.isalpha() or tld.startswith("xn--")):
        raise InvalidEmail(raw, f"domain ending {tld!r} is not a top-level domain")
    result = ".".join(ascii_labels)
    if len(result) > MAX_DOMAIN_LENGTH:
        raise InvalidEmail(raw, f"domain is longer than {MAX_DOMAIN_LENGTH} characters")
    return result


def _ascii_label(raw: str, label: str) -> str:
    if not label:
        raise InvalidEmail(raw, "empty label (two dots in a row) in the domain")
    if not label.isascii():
        try:
            label = label.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidEmail(raw, f"domain label {label!r} is not a valid name") from None
        label = label.lower()
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidEmail(raw, f"domain label is longer than {MAX_LABEL_LENGTH} characters")
    if not set(label) <= _LDH:
        bad = next(c for c in label if c not in _LDH)
        raise InvalidEmail(raw, f"character {bad!r} is not allowed in the domain")
    if label.startswith("-") or label.endswith("-"):
        raise InvalidEmail(raw, f"domain label {label!r} starts or ends with '-'")
    return label


def _canonical(local: str, domain: str) -> str:
    rule = PROVIDER_RULES.get(domain)
    if rule is None:
        return f"{local}@{domain}"
    base = local
    if rule.strip_plus:
        base = base.split("+", 1)[0]
    if rule.strip_dots:
        base = base.replace(".", "")
    if not base:
        base = local
    return f"{base}@{rule.canonical_domain or domain}"
