"""Sentences, clauses and word tokens of extracted copy, each with its character span.

Stemming is deliberately crude and consistent (the same function reads the catalog
and the copy), so "ships", "shipped" and "shipping" meet at one stem without a
language model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "approx",
        "dept",
        "est",
        "fig",
        "jr",
        "sr",
        "u.s",
    ]
)
#: A sentence ends at . ! ? (and closing quotes) before a space and a capital,
#: a digit, a quote, a currency sign, or the end of the text.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9$€£]|\s*$)")  # noqa: RUF001 - typographic quotes and dashes are what copy uses
_WORD = re.compile(
    r"24/7|24x7|[$€£]?\d[\d,]*(?:\.\d+)?[%kK]?|[A-Za-z][A-Za-z]*(?:['’][A-Za-z]+)?|[$€£%?]"  # noqa: RUF001 - typographic quotes and dashes are what copy uses
)
_BULLET = re.compile(r"^\s*(?:[-*•·▪–]|\d+[.)])\s+")  # noqa: RUF001 - typographic quotes and dashes are what copy uses


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Token:
    text: str
    stem: str
    start: int
    end: int


def sentences(text: str) -> list[Span]:
    """Sentences with offsets into ``text``; line breaks between blocks end one too."""
    found: list[Span] = []
    for block_start, block in _blocks(text):
        position = 0
        for match in _END.finditer(block):
            end = match.end()
            if _is_abbreviation(block, match.start()):
                continue
            _add(found, block, block_start, position, end)
            position = end
        _add(found, block, block_start, position, len(block))
    return found


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs, headings and list items: runs of lines that read as one."""
    blocks: list[tuple[int, str]] = []
    start = 0
    lines = text.split("\n")
    offset = 0
    current_start = 0
    current: list[str] = []
    for line in lines:
        line_start = offset
        offset += len(line) + 1
        stripped = line.strip()
        starts_new = (
            not stripped
            or _BULLET.match(line) is not None
            or not current
            or _ends_block(current[-1])
            or (stripped[:1].isupper() and _looks_like_heading(current[-1]))
        )
        if starts_new and current:
            blocks.append((current_start, "\n".join(current)))
            current = []
        if stripped:
            if not current:
                current_start = line_start
            current.append(line)
    if current:
        blocks.append((current_start, "\n".join(current)))
    del start
    return blocks


def _ends_block(line: str) -> bool:
    return line.rstrip().endswith((".", "!", "?", ":", "…"))


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return len(words) <= 8 and not line.rstrip().endswith((",", ";", "-", "and", "or"))


def _is_abbreviation(block: str, dot: int) -> bool:
    if block[dot : dot + 1] != ".":
        return False
    word = re.search(r"([A-Za-z.]+)$", block[:dot])
    return word is not None and word.group(1).lower().strip(".") in _ABBREVIATIONS


def _add(found: list[Span], block: str, block_start: int, start: int, end: int) -> None:
    piece = block[start:end]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    bullet = _BULLET.match(piece)
    if bullet:
        lead += bullet.end()
        piece = piece[bullet.end() :]
    if re.search(r"[A-Za-z0-9]", piece):
        begin = block_start + start + lead
        found.append(Span(begin, begin + len(piece), piece))


def tokens(text: str, offset: int = 0) -> list[Token]:
    return [
        Token(m.group(0), stem(m.group(0)), offset + m.start(), offset + m.end())
        for m in _WORD.finditer(text)
    ]


_IRREGULAR = {
    "paid": "pay",
    "pays": "pay",
    "sent": "send",
    "got": "get",
    "gave": "give",
    "given": "give",
    "came": "come",
    "won't": "not",
    "can't": "not",
    "cannot": "not",
    "don't": "not",
    "doesn't": "not",
    "didn't": "not",
    "isn't": "not",
    "aren't": "not",
    "wasn't": "not",
    "weren't": "not",
    "haven't": "not",
    "hasn't": "not",
    "wouldn't": "not",
    "shouldn't": "not",
    "never": "never",
    "free": "free",
    "fee": "fee",
    "fees": "fee",
    "money": "money",
    "yes": "yes",
    "us": "us",
    "this": "this",
    "its": "it",
    "it's": "it",
    "always": "always",
}


def stem(word: str) -> str:
    """A crude, consistent stem: ``shipping``/``shipped``/``ships`` → ``ship``."""
    w = word.lower().replace("’", "'")  # noqa: RUF001 - typographic quotes and dashes are what copy uses
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w.endswith("n't"):
        return "not"
    if w.endswith("'s"):
        w = w[:-2]
    if not w.isalpha() or len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "xes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) > 4:
        w = _undouble(w[:-2])
    trimmed = w.rstrip("e")
    return trimmed if len(trimmed) >= 3 else w


def _undouble(w: str) -> str:
    if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
        return w[:-1]
    return w
