"""Lead-to-account matching: which company does a person work for?

Two steps, first hit wins (:class:`MatchReason` records which):

1. **Email domain.** The person's email domain equals an account's domain
   (``domain``), or one of its parent domains does (``parent_domain``:
   ``jo@eu.acme.com`` → ``acme.com``). Free-mail domains (:mod:`.freemail`) never
   match, in either direction: a person at gmail.com says nothing about the employer,
   and an account whose domain is gmail.com is bad data. Domains are compared in the
   form :func:`normalize_domain` gives (``https://www.Acme.com/about`` → ``acme.com``).
2. **Company name.** The person's company name and the account names are normalised by
   :func:`normalize_company_name` (case, accents, punctuation, ``&``, legal suffixes
   such as Inc / GmbH / Ltd / S.A. / GmbH & Co. KG) and compared with rapidfuzz's
   ``token_sort_ratio`` (word order does not matter); the best score at or above
   ``score_cutoff`` (default 88 of 100) wins. An identical normalised name scores 100.

Tie-breakers, whenever several accounts are equally good (the same domain on two
accounts, or two names with the same best score), in this order:

1. the higher name score (name step only);
2. the account in the person's country: its ``country`` field equals the person's
   country, or its domain's country-code TLD does (``acme.de`` for a person in DE). The
   person's country is the one given, else the country-code TLD of their email domain;
3. the account with more employees (unknown counts as fewest), as the likelier
   employer of a person who did not say which subsidiary;
4. the lowest account id, so the answer is the same on every run.

Matching is indexed, never people-times-accounts in Python: domains are dictionary
look-ups; names are first looked up exactly, and the remaining *distinct* names are
scored in one vectorised ``rapidfuzz.process.cdist`` call per chunk.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from rapidfuzz import fuzz, process

from revloop.engine.identity.email import InvalidEmail, normalize_email
from revloop.engine.identity.freemail import free_mail_domains, is_free_mail_domain

AccountId = int | str

DEFAULT_SCORE_CUTOFF = 88.0
# cdist fills a queries x choices float32 matrix; this many cells (~32 MB) per chunk.
_CDIST_CELLS = 8_000_000


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Trailing words that say what kind of legal entity a company is, not which one.
# Dotted forms ("S.A.", "Inc.") reach this list with the dots already removed.
LEGAL_SUFFIXES: frozenset[str] = _words(
    """
    inc incorporated corp corporation co company cos llc llp lllp lp ltd limited plc
    pllc pc gmbh mbh ag kg kgaa ohg ug ev eg se sa sas sasu sarl sca scs snc sl slu
    srl spa sapa sc bv nv vof cv oy oyj ab hb kb as asa aps ks hf kk yk gk pty
    pvt private pte sdn bhd tbk jsc ojsc pjsc cjsc ooo zao oao pao sro spol zrt kft nyrt
    doo dd ad ead ood sp zoo sanv ltda eireli cia sab cv de rl holding holdings group
    """
)
# Combined suffixes whose words are also ordinary words elsewhere ("de", "rl", "cv").
_SUFFIX_ONLY_AFTER_OTHERS = frozenset({"de", "rl", "cv", "holding", "holdings", "group"})

# Two-label public suffixes: an account "domain" equal to one of these is bad data, and
# parent-domain matching must never stop at one (jo@acme.co.uk is not at "co.uk").
_SHARED_SUFFIXES = _words(
    """
    co.uk org.uk ac.uk gov.uk ltd.uk plc.uk me.uk net.uk com.au net.au org.au edu.au
    co.nz org.nz co.jp ne.jp or.jp ac.jp co.kr or.kr com.br net.br com.cn net.cn com.mx
    co.in net.in org.in co.za com.tr com.sg com.hk com.tw com.ar com.co com.pe com.my
    co.id co.il co.th com.vn com.ph com.pl com.ua com.ru com.eg com.sa
    """
)
# ccTLDs that differ from the ISO 3166 alpha-2 code of their country.
_TLD_COUNTRY = {"uk": "GB"}

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_LDH_DOMAIN = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:[a-z]{2,63}|xn--[a-z0-9-]+)$"
)
_WEB_TLD_IN_NAME = re.compile(r"\.(?:com|net|org|io|ai|co|de|eu)\b")
_NON_WORD = re.compile(r"[^\w&]+")
_LETTER_SLASH_LETTER = re.compile(r"\b(\w)/(\w)\b")  # A/S, S/A


class MatchReason(StrEnum):
    DOMAIN = "domain"
    PARENT_DOMAIN = "parent_domain"
    NAME_FUZZY = "name_fuzzy"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class AccountCandidate:
    """An account as the matcher sees it. ``domain`` may be a bare domain or a website URL."""

    id: AccountId
    name: str
    domain: str = ""
    country: str = ""
    employee_count: int | None = None


@dataclass(frozen=True, slots=True)
class PersonToMatch:
    """What is known about a person's employer: email, company name, country (ISO-2)."""

    email: str = ""
    company: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class AccountMatch:
    """The account a person belongs to (``None`` if none) and why.

    ``score`` is the name similarity (0-100) for ``name_fuzzy``; ``matched_on`` is the
    domain or the normalised name that matched.
    """

    account_id: AccountId | None
    reason: MatchReason
    score: float | None = None
    matched_on: str = ""

    def __str__(self) -> str:
        if self.reason is MatchReason.NAME_FUZZY:
            return f"{self.reason}({self.score:.1f})"
        return str(self.reason)


NO_MATCH = AccountMatch(None, MatchReason.NONE)


def normalize_domain(value: str) -> str:
    """``https://www.Acme.com:443/about`` → ``acme.com``; ``""`` when it is not a domain."""
    text = unicodedata.normalize("NFKC", value).strip().lower()
    if "@" in text and "/" not in text:
        text = text.rpartition("@")[2]  # an email pasted into a domain column
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rpartition("@")[2].split(":", 1)[0].rstrip(".")
    if text.startswith("www.") and text.count(".") >= 2:
        text = text[4:]
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return ""
    return text if len(text) <= 253 and _LDH_DOMAIN.match(text) else ""


def normalize_company_name(name: str) -> str:
    """A comparison key: ``"Müller & Söhne GmbH & Co. KG"`` → ``"muller and sohne"``.

    Accents are dropped, case folded, a web TLD written into the name removed
    (``Salesforce.com, Inc.`` → ``salesforce``), dots inside abbreviations joined
    (``S.A.`` → ``sa``), other punctuation turned into spaces, and trailing legal
    suffixes removed as long as a word remains.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _WEB_TLD_IN_NAME.sub(" ", text)
    text = _LETTER_SLASH_LETTER.sub(r"\1\2", text)
    text = text.replace(".", "").replace("'", "").replace("\u2019", "")  # typographic apostrophe
    text = _NON_WORD.sub(" ", text.replace("&", " & "))
    words = [w for w in text.replace("_", " ").split() if w]
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and _is_suffix(words):
        words.pop()
    return " ".join("and" if w == "&" else w for w in words)


def _is_suffix(words: list[str]) -> bool:
    last = words[-1]
    if last == "&":
        return True
    if last not in LEGAL_SUFFIXES:
        return False
    # "de", "group", ... only count as suffixes after a real suffix word ("SA de CV").
    return last not in _SUFFIX_ONLY_AFTER_OTHERS or (
        len(words) > 2 and words[-2] in LEGAL_SUFFIXES | {"&"}
    )


def _country_of_domain(domain: str) -> str:
    tld = domain.rpartition(".")[2]
    if len(tld) != 2 or not tld.isalpha():
        return ""
    return _TLD_COUNTRY.get(tld, tld.upper())


@dataclass(frozen=True, slots=True)
class _Account:
    id: AccountId
    domain: str
    name_key: str
    countries: frozenset[str]
    employees: int


def _id_key(account_id: AccountId) -> tuple[int, int, str]:
    # Integers before strings, each in natural order, so mixed id types still sort.
    if isinstance(account_id, int):
        return (0, account_id, "")
    return (1, 0, account_id)


class AccountMatcher:
    """An index over accounts that matches people to them (see the module doc).

    Build it once per import or per matching run; :meth:`match_many` is the fast path.
    """

    def __init__(
        self,
        accounts: Iterable[AccountCandidate],
        *,
        score_cutoff: float = DEFAULT_SCORE_CUTOFF,
        scorer: Callable[..., float] = fuzz.token_sort_ratio,
        freemail: frozenset[str] | None = None,
        workers: int = 1,
    ) -> None:
        self.score_cutoff = score_cutoff
        self.scorer = scorer
        self.workers = workers
        self._freemail = free_mail_domains() if freemail is None else freemail
        self._by_domain: dict[str, list[_Account]] = defaultdict(list)
        by_name: dict[str, list[_Account]] = defaultdict(list)
        for candidate in accounts:
            domain = normalize_domain(candidate.domain) if candidate.domain else ""
            usable = (
                domain
                and domain not in _SHARED_SUFFIXES
                and not is_free_mail_domain(domain, self._freemail)
            )
            countries = {c for c in (candidate.country.upper(), _country_of_domain(domain)) if c}
            key = normalize_company_name(candidate.name)
            account = _Account(
                id=candidate.id,
                domain=domain if usable else "",
                name_key=key,
                countries=frozenset(countries),
                employees=-1 if candidate.employee_count is None else candidate.employee_count,
            )
            if account.domain:
                self._by_domain[account.domain].append(account)
            if key:
                by_name[key].append(account)
        self._by_name = dict(by_name)
        self._names = list(self._by_name)

    def match(self, person: PersonToMatch) -> AccountMatch:
        """One person; prefer :meth:`match_many` for more than a handful."""
        return self.match_many([person])[0]

    def match_many(self, people: Sequence[PersonToMatch]) -> list[AccountMatch]:
        """One :class:`AccountMatch` per person, in the same order."""
        results: list[AccountMatch | None] = [None] * len(people)
        countries: list[str] = []
        pending_names: dict[str, list[int]] = defaultdict(list)
        for index, person in enumerate(people):
            domain, free = self._email_domain(person.email)
            country = person.country.strip().upper() or _country_of_domain(domain)
            countries.append(country)
            found = self._match_domain(domain, country) if domain and not free else None
            if found is not None:
                results[index] = found
                continue
            key = normalize_company_name(person.company) if person.company else ""
            if not key:
                results[index] = NO_MATCH
            elif key in self._by_name:
                best = self._best(self._by_name[key], country)
                results[index] = AccountMatch(best.id, MatchReason.NAME_FUZZY, 100.0, key)
            else:
                pending_names[key].append(index)
        if pending_names:
            self._match_names(pending_names, countries, results)
        return [r if r is not None else NO_MATCH for r in results]

    def _email_domain(self, email: str) -> tuple[str, bool]:
        """The email's domain and whether it is free mail (its TLD still hints a country)."""
        if not email:
            return "", False
        try:
            domain = normalize_email(email).domain
        except InvalidEmail:
            return "", False
        return domain, is_free_mail_domain(domain, self._freemail)

    def _match_domain(self, domain: str, country: str) -> AccountMatch | None:
        if domain in self._by_domain:
            best = self._best(self._by_domain[domain], country)
            return AccountMatch(best.id, MatchReason.DOMAIN, matched_on=domain)
        parent = domain
        while True:
            parent = parent.partition(".")[2]
            if parent.count(".") < 1 or parent in _SHARED_SUFFIXES:
                return None
            if parent in self._by_domain:
                best = self._best(self._by_domain[parent], country)
                return AccountMatch(best.id, MatchReason.PARENT_DOMAIN, matched_on=parent)

    def _match_names(
        self,
        pending: dict[str, list[int]],
        countries: list[str],
        results: list[AccountMatch | None],
    ) -> None:
        queries = list(pending)
        if not self._names:
            for key in queries:
                for index in pending[key]:
                    results[index] = NO_MATCH
            return
        chunk = max(1, _CDIST_CELLS // len(self._names))
        for start in range(0, len(queries), chunk):
            block = queries[start : start + chunk]
            scores = process.cdist(
                block,
                self._names,
                scorer=self.scorer,
                score_cutoff=self.score_cutoff,
                dtype=np.float32,
                workers=self.workers,
            )
            best_scores = scores.max(axis=1)
            for row, key in enumerate(block):
                top = float(best_scores[row])
                if top <= 0.0 or top < self.score_cutoff:
                    for index in pending[key]:
                        results[index] = NO_MATCH
                    continue
                tied = np.flatnonzero(scores[row] == best_scores[row])
                accounts = [a for col in tied for a in self._by_name[self._names[col]]]
                for index in pending[key]:
                    best = self._best(accounts, countries[index])
                    results[index] = AccountMatch(
                        best.id, MatchReason.NAME_FUZZY, round(top, 1), best.name_key
                    )

    @staticmethod
    def _best(accounts: list[_Account], country: str) -> _Account:
        if len(accounts) == 1:
            return accounts[0]
        return min(
            accounts,
            key=lambda a: (country not in a.countries, -a.employees, _id_key(a.id)),
        )


def match_accounts(
    people: Sequence[PersonToMatch],
    accounts: Iterable[AccountCandidate],
    *,
    score_cutoff: float = DEFAULT_SCORE_CUTOFF,
) -> list[AccountMatch]:
    """Match ``people`` against ``accounts`` in one go (builds a throw-away index)."""
    return AccountMatcher(accounts, score_cutoff=score_cutoff).match_many(people)
