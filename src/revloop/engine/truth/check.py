"""The copy checker: every sentence that says what the offer catalog says is false.

For each sentence the checker asks, clause by clause, which catalog claims it makes
and whether it asserts or denies them (negation, an answered question, a claim made
about competitors and taken up or refused by "we don't"). A false claim asserted, a
true one denied, a true one with a wrong number, a name the catalog does not have
or a price no plan has each become a :class:`Finding`.

The default method reads claims through the paraphrase lexicon (rule-based, no
model). A :class:`SentenceEncoder` may be given to also catch paraphrases the
lexicon does not know, by sentence embeddings (see :mod:`.semantic`).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from revloop.engine.truth.catalog import Catalog, Fact
from revloop.engine.truth.entities import (
    PLAN_PRICE,
    entity_hits,
    price_hits,
)
from revloop.engine.truth.extract import Extracted, extract
from revloop.engine.truth.lexicon import AFFIRMATIONS, DENIALS
from revloop.engine.truth.quantities import Quantity, expected_kind, quantities, same_amount
from revloop.engine.truth.reading import (
    CONCEPT,
    DENIAL,
    FIRST,
    OTHERS_ITEM,
    WORD,
    Item,
    clause_items,
    clauses,
    meaningful,
    read_items,
)
from revloop.engine.truth.text import Span, sentences, stem, tokens

FALSE_CLAIM = "false_claim"
DENIES_TRUE_FACT = "denies_true_fact"
WRONG_VALUE = "wrong_value"

#: Words a claim or example carries that say nothing about the offer itself.
_FILLER = frozenset(
    stem(w)
    for w in (
        [
            "there",
            "here",
            "every",
            "each",
            "order",
            "orders",
            "customer",
            "customers",
            "plan",
            "plans",
            "product",
            "products",
            "company",
            "buyer",
            "buyers",
            "new",
            "all",
            "kit",
            "kits",
            "you",
            "we",
            "our",
            "available",
            "offered",
            "provided",
            "standard",
            "always",
        ]
    )
)


class SentenceEncoder(Protocol):
    """Turns sentences into unit vectors; cosine similarity is their dot product."""

    name: str

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class Finding:
    kind: str
    fact: str
    start: int
    end: int
    sentence: str
    truth: str
    rewrite: str
    #: What in the sentence makes the claim ("free shipping", "30-day", "Platinum").
    subject: str = ""
    method: str = "lexical"
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    text: str
    format: str
    findings: tuple[Finding, ...]
    sentences: int
    seconds: float = field(default=0.0, compare=False)

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "sentences": self.sentences,
            "clean": self.clean,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class _Element:
    kind: str
    key: str
    sign: int


@dataclass(frozen=True)
class _Match:
    fact: Fact
    polarity: int
    items: tuple[Item, ...]
    attributed_to_others: bool
    score: float = 1.0
    method: str = "lexical"


def _pattern(text: str, catalog: Catalog) -> tuple[_Element, ...]:
    names = {stem(w) for name in _names(catalog) for w in name.split()}
    out: list[_Element] = []
    for item in read_items(tokens(text)):
        if item.kind == CONCEPT or (
            item.kind == WORD
            and meaningful(item)
            and item.key not in _FILLER
            and item.key not in names
        ):
            element = _Element(item.kind, item.key, item.sign)
            if element not in out:
                out.append(element)
    return tuple(out)


def _names(catalog: Catalog) -> list[str]:
    # Only the company's own names: a product's words ("gateway", "onboarding") are
    # often what the claim is about.
    return list(catalog.company_names)


class Checker:
    """Checks copy against one catalog; build once, check many texts."""

    def __init__(
        self,
        catalog: Catalog,
        encoder: SentenceEncoder | None = None,
        threshold: float = 0.6,
        margin: float = 0.15,
    ) -> None:
        self.catalog = catalog
        self.encoder = encoder
        self.threshold = threshold
        self.margin = margin
        self.method = "semantic" if encoder is not None else "lexical"
        self._patterns: list[tuple[Fact, tuple[_Element, ...]]] = []
        for fact in catalog.facts:
            for text in (fact.claim, *fact.examples):
                pattern = _pattern(text, catalog)
                if pattern and (fact, pattern) not in self._patterns:
                    self._patterns.append((fact, pattern))
        self._concepts: dict[str, set[str]] = {fact.id: set() for fact in catalog.facts}
        for fact, pattern in self._patterns:
            self._concepts[fact.id].update(e.key for e in pattern if e.kind == CONCEPT)
        self._fact_vectors: npt.NDArray[np.float32] | None = None
        self._truth_vectors: npt.NDArray[np.float32] | None = None
        self._vector_facts: list[Fact] = []
        # Embeddings judge false claims only: whether a sentence denies a true fact
        # or gets its number wrong is the lexicon's call (a similar sentence with
        # another number is still similar).
        false_facts = [fact for fact in catalog.facts if not fact.true]
        if encoder is not None and false_facts:
            texts: list[str] = []
            for fact in false_facts:
                for text in (fact.claim, *fact.examples):
                    texts.append(text)
                    self._vector_facts.append(fact)
            self._fact_vectors = encoder.encode(texts)
            self._truth_vectors = encoder.encode([fact.truth for fact in self._vector_facts])

    # -- public -------------------------------------------------------------------------

    def check(self, raw: str | bytes, fmt: str = "plain") -> Report:
        started = time.perf_counter()
        extracted = extract(raw, fmt)
        findings = self.check_text(extracted.text)
        return Report(
            extracted.text,
            extracted.format,
            tuple(findings),
            len(sentences(extracted.text)),
            time.perf_counter() - started,
        )

    def check_extracted(self, extracted: Extracted) -> list[Finding]:
        return self.check_text(extracted.text)

    def check_text(self, text: str) -> list[Finding]:
        spans = sentences(text)
        findings: list[Finding] = []
        antecedent: tuple[_Match, int] | None = None
        semantic = self._semantic_scores(spans)
        for number, sentence in enumerate(spans):
            answer = self._answer(spans, number)
            is_question = sentence.text.rstrip().endswith("?")
            rhetorical = is_question and sentence.text.lower().lstrip().startswith(
                ("why pay", "why spend")
            )
            matches, new_antecedent = self._sentence_matches(sentence, antecedent, number)
            if new_antecedent is not None:
                antecedent = (new_antecedent, number)
            elif antecedent is not None and number - antecedent[1] > 1:
                antecedent = None
            if semantic is not None:
                matches.extend(self._semantic_matches(sentence, semantic[number], matches))
            for match in matches:
                polarity = match.polarity
                replied: Span | None = None
                if rhetorical:
                    # "Why pay for shipping?" says shipping should cost nothing.
                    polarity = -polarity
                elif is_question:
                    if answer is None:
                        continue
                    polarity *= answer[0]
                    replied = answer[1]
                if match.attributed_to_others:
                    continue
                found = self._judge(match, polarity, sentence, replied)
                if found is not None:
                    findings.append(found)
            findings.extend(self._entities(sentence))
        return _dedupe(findings)

    # -- claims --------------------------------------------------------------------------

    def _sentence_matches(
        self, sentence: Span, antecedent: tuple[_Match, int] | None, number: int
    ) -> tuple[list[_Match], _Match | None]:
        found: dict[str, _Match] = {}
        last_others: _Match | None = None
        parts = clauses(sentence)
        for clause in parts:
            items = clause_items(clause)
            clause_matches = self._match_items(items)
            for match in clause_matches:
                if match.attributed_to_others:
                    last_others = match
                found.setdefault(match.fact.id, match)
            if not clause_matches:
                ellipsis = _ellipsis(items)
                reference = last_others or (
                    antecedent[0] if antecedent and antecedent[1] < number else None
                )
                if ellipsis is not None and reference is not None:
                    found[reference.fact.id] = _Match(
                        reference.fact,
                        reference.polarity * ellipsis,
                        reference.items + tuple(items),
                        attributed_to_others=False,
                    )
        # A claim spread over commas ("Delivery, as always, is free") reads whole.
        whole = clause_items(sentence)
        for match in self._match_items(whole):
            found.setdefault(match.fact.id, match)
        return list(found.values()), last_others

    def _match_items(self, items: list[Item]) -> list[_Match]:
        best: dict[str, _Match] = {}
        for fact, pattern in self._patterns:
            chosen = _locate(pattern, items)
            if chosen is None:
                continue
            polarity = 1
            for element, item in zip(pattern, chosen, strict=True):
                polarity *= element.sign * item.sign
            first = min(item.index for item in chosen)
            others = _attributed(items, first)
            match = _Match(fact, polarity, tuple(chosen), others)
            if fact.id not in best or len(chosen) > len(best[fact.id].items):
                best[fact.id] = match
        return list(best.values())

    def _judge(
        self, match: _Match, polarity: int, sentence: Span, replied: Span | None
    ) -> Finding | None:
        fact = match.fact
        subject_start = min(i.start for i in match.items)
        subject_end = max(i.end for i in match.items)
        subject = (
            sentence.text[subject_start - sentence.start : subject_end - sentence.start]
            if subject_start >= sentence.start
            else ""
        )
        # An answered question is one claim: "Is shipping free? Yes."
        end = replied.end if replied is not None else sentence.end
        text = f"{sentence.text} {replied.text}" if replied is not None else sentence.text
        if fact.true_for and any(
            re.search(rf"\b{re.escape(name)}\b", sentence.text, re.IGNORECASE)
            for name in fact.true_for
        ):
            return None
        # Affirming what is false and denying what is true are the same finding but for kind.
        contradiction: str | None = None
        if not fact.true and polarity > 0:
            contradiction = FALSE_CLAIM
        elif fact.true and polarity < 0:
            contradiction = DENIES_TRUE_FACT
        if contradiction is not None:
            return Finding(
                contradiction,
                fact.id,
                sentence.start,
                end,
                text,
                fact.truth,
                fact.suggestion,
                subject,
                match.method,
                match.score,
            )
        if fact.true and polarity > 0 and fact.value:
            wrong = _wrong_value(fact, sentence, match.items, self._concepts[fact.id])
            if wrong is not None:
                quantity, replacement = wrong
                rewrite = (
                    sentence.text[: quantity.start - sentence.start]
                    + replacement
                    + sentence.text[quantity.end - sentence.start :]
                )
                return Finding(
                    WRONG_VALUE,
                    fact.id,
                    sentence.start,
                    end,
                    text,
                    fact.truth,
                    rewrite,
                    quantity.text,
                    match.method,
                    match.score,
                )
        return None

    def _answer(self, spans: list[Span], number: int) -> tuple[int, Span] | None:
        if number + 1 >= len(spans) or not spans[number].text.rstrip().endswith("?"):
            return None
        reply = spans[number + 1]
        words = [t.stem for t in tokens(reply.text)]
        if not words:
            return None
        head = " ".join(words[:2])
        if words[0] in DENIALS:
            return -1, reply
        if words[0] in AFFIRMATIONS or head in AFFIRMATIONS:
            return 1, reply
        return None

    # -- names and prices ----------------------------------------------------------------

    def _entities(self, sentence: Span) -> list[Finding]:
        if sentence.text.rstrip().endswith("?"):
            return []
        out = [
            Finding(
                hit.fact,
                hit.fact,
                sentence.start,
                sentence.end,
                sentence.text,
                hit.truth,
                hit.rewrite,
                hit.subject,
            )
            for hit in entity_hits(sentence, self.catalog)
        ]
        out.extend(
            Finding(
                PLAN_PRICE,
                PLAN_PRICE,
                sentence.start,
                sentence.end,
                sentence.text,
                hit.truth,
                hit.rewrite,
                hit.quantity.text,
            )
            for hit in price_hits(sentence, self.catalog)
        )
        return out

    # -- embeddings ----------------------------------------------------------------------

    def _semantic_scores(self, spans: list[Span]) -> npt.NDArray[np.float32] | None:
        """Per sentence and claim: how much closer the sentence is to the claim than to
        the truth (a sentence near both is about the topic, not making the claim)."""
        if (
            self.encoder is None
            or self._fact_vectors is None
            or self._truth_vectors is None
            or not spans
        ):
            return None
        vectors = self.encoder.encode([sentence.text for sentence in spans])
        claim: npt.NDArray[np.float32] = vectors @ self._fact_vectors.T
        truth: npt.NDArray[np.float32] = vectors @ self._truth_vectors.T
        scores: npt.NDArray[np.float32] = np.where(
            claim - truth >= self.margin, claim, np.float32(0)
        )
        return scores

    def _semantic_matches(
        self, sentence: Span, scores: npt.NDArray[np.float32], lexical: list[_Match]
    ) -> list[_Match]:
        """Claims the lexicon missed, when the sentence is close to a claim or example."""
        known = {m.fact.id for m in lexical}
        best: dict[str, float] = {}
        for fact, score in zip(self._vector_facts, scores.tolist(), strict=True):
            if fact.id not in known and score >= self.threshold and score > best.get(fact.id, -1.0):
                best[fact.id] = score
        if not best:
            return []
        items = clause_items(sentence)
        others = any(item.kind == OTHERS_ITEM for item in items) and not any(
            item.kind == FIRST for item in items
        )
        out = []
        for fact_id, score in best.items():
            # The lexicon still knows which way the words lean ("we charge for delivery").
            signs = [
                i.sign for i in items if i.kind == CONCEPT and i.key in self._concepts[fact_id]
            ]
            if signs:
                polarity = int(np.prod(signs))
            else:
                polarity = -1 if sum(1 for i in items if i.kind == DENIAL) % 2 else 1
            fact = self.catalog.fact(fact_id)
            out.append(_Match(fact, polarity, tuple(items), others, score, "semantic"))
        return out


def _locate(pattern: tuple[_Element, ...], items: list[Item]) -> list[Item] | None:
    """For each element, the occurrence nearest the others; None when one is missing."""
    occurrences: list[list[Item]] = []
    for element in pattern:
        found = [item for item in items if _same(element, item)]
        if not found:
            return None
        occurrences.append(found)
    centre = sum(o[0].index for o in occurrences) / len(occurrences)
    return [min(found, key=lambda item: abs(item.index - centre)) for found in occurrences]


def _same(element: _Element, item: Item) -> bool:
    if element.kind == CONCEPT:
        return item.kind == CONCEPT and item.key == element.key
    if item.kind == CONCEPT:
        return element.key in item.words
    if item.kind != WORD or not meaningful(item):
        return False
    if item.key == element.key:
        return True
    return len(element.key) > 4 and fuzz.ratio(item.key, element.key) >= 88


def _attributed(items: list[Item], first: int) -> bool:
    """Is what starts at item ``first`` said of competitors rather than of us?"""
    others = [item.index for item in items if item.kind == OTHERS_ITEM and item.index < first]
    if not others:
        return False
    return not any(item.kind == FIRST and others[-1] < item.index < first for item in items)


_ELLIPSIS_VERBS = frozenset(
    {"do", "doe", "did", "will", "too", "also", "either", "so", "same", "never", "not"}
)


def _ellipsis(items: list[Item]) -> int | None:
    """+1 for "we do too", -1 for "we never do"; None when the clause is not one."""
    if not items or len(items) > 6 or not any(item.kind == FIRST for item in items):
        return None
    if any(item.kind == CONCEPT for item in items):
        return None
    keys = {item.key for item in items}
    if not keys & _ELLIPSIS_VERBS:
        return None
    denials = sum(1 for item in items if item.kind == DENIAL)
    return -1 if denials % 2 else 1


def _belongs(quantity: Quantity, sentence: Span, concepts: set[str]) -> bool:
    """A number describes the fact unless the words right after it name something else
    ("a 30-day money-back guarantee" is not the trial's length)."""
    after = sentence.text[quantity.end - sentence.start :]
    for item in read_items(tokens(after))[:4]:
        if item.kind == CONCEPT:
            return item.key in concepts
    return True


def _wrong_value(
    fact: Fact, sentence: Span, items: tuple[Item, ...], fact_concepts: set[str]
) -> tuple[Quantity, str] | None:
    found = quantities(sentence.text, sentence.start)
    if not found:
        return None
    centre = sum((i.start + i.end) / 2 for i in items) / len(items)
    for unit, expected in fact.value:
        kind, factor = expected_kind(unit)
        relevant = [
            q
            for q in found
            if q.kind == kind
            or (kind not in ("days", "money", "percent") and q.kind.startswith(kind[:4]))
        ]
        if not relevant:
            continue
        relevant = [q for q in relevant if _belongs(q, sentence, fact_concepts)]
        if not relevant:
            continue
        nearest = min(relevant, key=lambda q: abs((q.start + q.end) / 2 - centre))
        target = float(expected) * factor
        if same_amount(nearest.amount, target):
            continue
        return nearest, _replacement(nearest, unit, expected)
    return None


def _replacement(quantity: Quantity, unit: str, expected: Any) -> str:
    amount = f"{expected:f}".rstrip("0").rstrip(".") if "." in f"{expected:f}" else f"{expected}"
    if quantity.kind == "money":
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(quantity.currency, "$")
        return f"{symbol}{amount}" + (f"/{quantity.period}" if quantity.period else "")
    if quantity.kind == "percent":
        return f"{amount}%"
    if quantity.kind == "days":
        singular = unit.removesuffix("s")
        if math.isinf(quantity.amount):
            return f"{amount}-{singular}"
        hyphen = "-" in quantity.text
        return (
            f"{amount}-{singular}" if hyphen else f"{amount} {unit if amount != '1' else singular}"
        )
    return f"{amount} {quantity.text.split()[-1]}"


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per claim per sentence; a true fact "denied" by a sentence that
    asserts a false one is the same mistake seen from the other side."""
    false_at = {f.start for f in findings if f.kind == FALSE_CLAIM}
    seen: set[tuple[int, str, str]] = set()
    out = []
    for finding in sorted(findings, key=lambda f: (f.start, f.fact, f.subject)):
        if finding.kind == DENIES_TRUE_FACT and finding.start in false_at:
            continue
        key = (
            finding.start,
            finding.fact,
            finding.subject if finding.fact.startswith("unknown") else "",
        )
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def check_copy(
    raw: str | bytes, catalog: Catalog, fmt: str = "plain", encoder: SentenceEncoder | None = None
) -> Report:
    """Check one piece of copy; see :class:`Checker` to check many against one catalog."""
    return Checker(catalog, encoder).check(raw, fmt)
