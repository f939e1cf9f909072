"""A clause read as a row of meaningful items: concepts with a sign, words, denials.

"we never charge for shipping" reads as ``[first-person, denial, FREE(-), SHIP(+)]``;
the denial then binds to the next item that carries meaning and flips it, so the
clause says FREE(+) about SHIP(+): it promises free shipping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from revloop.engine.truth.lexicon import (
    FIRST_PERSON,
    GAP,
    MAX_GAP,
    NEGATORS,
    OTHERS,
    TRANSPARENT,
    phrase_index,
)
from revloop.engine.truth.text import Span, Token, tokens

CONCEPT, WORD, DENIAL, OTHERS_ITEM, FIRST = "concept", "word", "denial", "others", "first"


@dataclass(frozen=True)
class Item:
    kind: str
    key: str
    sign: int
    index: int
    start: int
    end: int
    #: The stems a phrase covered ("move all your data" → MIGRATION covers "data").
    words: tuple[str, ...] = ()


def read_items(toks: list[Token]) -> list[Item]:
    """Items of a token run, phrases longest first, denials applied."""
    items: list[Item] = []
    index = phrase_index()
    i = 0
    while i < len(toks):
        matched = False
        for stems, concept, sign in index.get(toks[i].stem, ()):
            n = _phrase_length(stems, toks, i)
            if n:
                if concept:
                    covered = tuple(t.stem for t in toks[i : i + n])
                    first, last = toks[i], toks[i + n - 1]
                    items.append(
                        Item(CONCEPT, concept, sign, len(items), first.start, last.end, covered)
                    )
                i += n
                matched = True
                break
        if matched:
            continue
        token = toks[i]
        word = token.stem
        if word in NEGATORS:
            kind = DENIAL
        elif word in OTHERS:
            kind = OTHERS_ITEM
        elif word in FIRST_PERSON or token.text.lower() in FIRST_PERSON:
            kind = FIRST
        else:
            kind = WORD
        items.append(Item(kind, word, 1, len(items), token.start, token.end))
        i += 1
    return apply_denials(items)


def _phrase_length(stems: tuple[str, ...], toks: list[Token], i: int) -> int:
    """How many tokens from ``i`` the phrase covers, or 0 when it does not match there."""
    position = i
    gap = False
    for part in stems:
        if part == GAP:
            gap = True
            continue
        if gap:
            limit = min(len(toks), position + MAX_GAP + 1)
            found = next((j for j in range(position, limit) if toks[j].stem == part), None)
            if found is None:
                return 0
            position = found + 1
            gap = False
        elif position < len(toks) and toks[position].stem == part:
            position += 1
        else:
            return 0
    return position - i


def apply_denials(items: list[Item]) -> list[Item]:
    out = list(items)
    for position, item in enumerate(items):
        if item.kind != DENIAL:
            continue
        for target in range(position + 1, len(out)):
            candidate = out[target]
            if candidate.kind == WORD and candidate.key in TRANSPARENT:
                continue
            if candidate.kind in (CONCEPT, WORD):
                out[target] = replace(candidate, sign=-candidate.sign)
            break
    return out


def meaningful(item: Item) -> bool:
    return item.kind == CONCEPT or (
        item.kind == WORD
        and item.key not in TRANSPARENT
        and not item.key[:1].isdigit()
        and item.key not in {"$", "€", "£", "%", "?"}
    )


_CLAUSE_BREAK = re.compile(
    r"\s*[,;:()\u2014\u2013]\s*|\s+-\s+|(?<=\w)\s+(?=(?:but|while|whereas|although|though|however|unlike|except)\b)",
    re.IGNORECASE,
)


def clauses(sentence: Span) -> list[Span]:
    """Clauses of a sentence, split at punctuation and at contrasting conjunctions."""
    found: list[Span] = []
    position = 0
    text = sentence.text
    for match in _CLAUSE_BREAK.finditer(text):
        _add(found, sentence, position, match.start())
        position = match.end()
    _add(found, sentence, position, len(text))
    return found


def _add(found: list[Span], sentence: Span, start: int, end: int) -> None:
    piece = sentence.text[start:end]
    if re.search(r"[A-Za-z0-9$]", piece):
        found.append(Span(sentence.start + start, sentence.start + end, piece))


def clause_items(clause: Span) -> list[Item]:
    return read_items(tokens(clause.text, clause.start))
