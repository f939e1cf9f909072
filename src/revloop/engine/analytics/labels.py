"""Free-text labels as reports group them: blanks, a confirmed alias map, and
proposals of near-duplicates for the user to confirm.

CRM exports spell one lead source several ways ("Tradeshow", "Trade Show",
"trade-show"; "Advertisement", "Advertising"). Nothing here merges labels on its own:
:func:`propose_merges` lists candidates, and only an :class:`AliasMap` the user wrote
(``variant → canonical``) changes what a report groups.

A proposal needs one of these, all conservative on purpose:

- **spelling**: the same letters and digits once case, spacing, punctuation and
  accents are ignored ("Trade Show" / "tradeshow" / "TRADE-SHOW");
- **plural**: the same words up to a plural ending ("Email" / "Emails",
  "Webinar" / "Webinars");
- **word form**: the same stem with ``-ing`` / ``-ment`` / ``-ement`` endings, which
  name the same activity ("Advertisement" / "Advertising"), but never a bare word
  against its derived one ("Market" / "Marketing" stay apart);
- **typo**: one word differs by a single edit or swap of neighbouring letters, both
  spellings of it at least 5 letters long and starting with the same letter
  ("Organic Serach" / "Organic Search").

Labels whose digits differ ("Campaign 2017-01" / "Campaign 2017-02", "Tier 1" /
"Tier 2") are never proposed, nor are labels that differ by a whole word ("Direct" /
"Direct Mail") or a one-letter word ("Group A" / "Group B").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import OSA

BLANK = "(blank)"
#: Alias-map key for entries that apply to every column.
EVERY_COLUMN = "*"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
# Longest first: the first ending that leaves a stem of 4+ letters is removed.
_WORD_FORMS = ("ements", "ement", "ments", "ment", "ings", "ing")
_TYPO_MIN_LENGTH = 5


def clean_label(value: object) -> str:
    """The label a value is reported under: trimmed text, ``(blank)`` for nothing."""
    if value is None:
        return BLANK
    text = " ".join(str(value).split())
    return text or BLANK


def fold(text: str) -> str:
    """Letters and digits only, case and accents ignored: the spelling key."""
    return "".join(words(text))


def words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _WORD.findall(plain)


def column_key(name: str) -> str:
    """A column name as ``--by`` and the alias map match it ("Lead Source" = "lead_source")."""
    return fold(name)


def _singular(word: str) -> str:
    if word.isdigit() or len(word) < 4:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _stem(word: str) -> str:
    word = _singular(word)
    for ending in _WORD_FORMS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            # The marker keeps "marketing" apart from "market" while "advertising"
            # and "advertisement" meet.
            return word[: -len(ending)] + "~"
    return word


def _typo(a: str, b: str) -> bool:
    return (
        min(len(a), len(b)) >= _TYPO_MIN_LENGTH
        and a[0] == b[0]
        and not a.isdigit()
        and not b.isdigit()
        and OSA.distance(a, b) <= 1
    )


def near_duplicate(a: str, b: str) -> str | None:
    """Why two labels look like one (``spelling``, ``plural``, ``word form``,
    ``typo``), or None (module docstring)."""
    if a == b or BLANK in (a, b) or _DIGITS.findall(fold(a)) != _DIGITS.findall(fold(b)):
        return None
    if fold(a) == fold(b):
        return "spelling"
    left, right = words(a), words(b)
    if not left or len(left) != len(right):
        return None
    return _same_words(left, right)


def _same_words(left: list[str], right: list[str]) -> str | None:
    if [_singular(w) for w in left] == [_singular(w) for w in right]:
        return "plural"
    if [_stem(w) for w in left] == [_stem(w) for w in right]:
        return "word form"
    differ = [(x, y) for x, y in zip(left, right, strict=True) if _stem(x) != _stem(y)]
    return "typo" if len(differ) == 1 and _typo(*differ[0]) else None


def _blocking_keys(label: str) -> list[tuple[object, ...]]:
    """Keys that every pair :func:`near_duplicate` accepts shares at least one of."""
    stems = [_stem(w) for w in words(label)]
    keys: list[tuple[object, ...]] = [("fold", fold(label)), ("stems", *stems)]
    for i, word in enumerate(words(label)):
        rest = (*stems[:i], *stems[i + 1 :])
        # Two words one edit or swap apart share a spelling with one letter deleted
        # (or one is the other with a letter deleted): a deletion neighbourhood.
        deleted = {word, *(word[:j] + word[j + 1 :] for j in range(len(word)))}
        keys.extend(("typo", i, d, *rest) for d in deleted)
    return keys


@dataclass(frozen=True)
class MergeProposal:
    """Labels of one column that look like one: ``canonical`` is the most used
    spelling (then the first alphabetically), ``variants`` the others."""

    column: str
    canonical: str
    variants: tuple[str, ...]
    reasons: tuple[str, ...]
    counts: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "canonical": self.canonical,
            "variants": list(self.variants),
            "reasons": list(self.reasons),
            "counts": dict(self.counts),
        }


def propose_merges(column: str, counts: Mapping[str, int]) -> list[MergeProposal]:
    """Groups of near-duplicate labels among ``counts`` (label → rows), largest group
    first. Pairs are found by the rules of :func:`near_duplicate`; a group is a
    connected set of such pairs."""
    labels = sorted(label for label in counts if label != BLANK)
    # Only labels that share a blocking key are compared, so thousands of labels
    # (account names) stay quick.
    buckets: dict[tuple[object, ...], list[str]] = {}
    for label in labels:
        for key in _blocking_keys(label):
            buckets.setdefault(key, []).append(label)
    parent = {label: label for label in labels}

    def root(label: str) -> str:
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    reasons: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()
    for bucket in buckets.values():
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                why = near_duplicate(a, b)
                if why is None:
                    continue
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
                reasons.setdefault(a, set()).add(why)
                reasons.setdefault(b, set()).add(why)
    groups: dict[str, list[str]] = {}
    for label in labels:
        groups.setdefault(root(label), []).append(label)
    proposals = []
    for members in groups.values():
        if len(members) < 2:
            continue
        ranked = sorted(members, key=lambda label: (-counts[label], label))
        proposals.append(
            MergeProposal(
                column=column,
                canonical=ranked[0],
                variants=tuple(ranked[1:]),
                reasons=tuple(sorted(set().union(*(reasons[m] for m in members)))),
                counts={label: counts[label] for label in ranked},
            )
        )
    return sorted(proposals, key=lambda p: (-sum(p.counts.values()), p.canonical))


class AliasError(ValueError):
    """An alias map that cannot be applied; the message names the entry."""


def _add_entries(key: object, entries: Mapping[Any, Any], target: dict[str, str]) -> None:
    for variant, canonical in entries.items():
        if not isinstance(canonical, str) or not canonical.strip():
            raise AliasError(f"alias {key!r} → {variant!r}: the canonical label is empty")
        spelling = fold(str(variant))
        if not spelling:
            raise AliasError(f"alias {key!r}: variant {variant!r} has no letters")
        known = target.get(spelling)
        if known is not None and known != clean_label(canonical):
            raise AliasError(
                f"alias {key!r}: {variant!r} is mapped to both {known!r} and {canonical!r}"
            )
        target[spelling] = clean_label(canonical)


@dataclass(frozen=True)
class AliasMap:
    """Confirmed merges: per column (by :func:`column_key`, ``*`` for every column),
    variant → canonical label. Variants match by spelling key, so one entry
    covers the case and punctuation variants of a spelling."""

    columns: Mapping[str, Mapping[str, str]]

    @classmethod
    def parse(cls, data: Any) -> AliasMap:
        """From the alias file's content: ``{column: {variant: canonical}}``, or a
        flat ``{variant: canonical}`` for every column; both may be mixed."""
        if data is None:
            return cls({})
        if not isinstance(data, Mapping):
            raise AliasError("the alias map must be a mapping of column → {variant: canonical}")
        columns: dict[str, dict[str, str]] = {}
        for key, value in data.items():
            if isinstance(value, Mapping):
                column, entries = column_key(str(key)), value
            elif isinstance(value, str):
                column, entries = EVERY_COLUMN, {key: value}
            else:
                raise AliasError(f"alias {key!r}: give a canonical label or a mapping of them")
            _add_entries(key, entries, columns.setdefault(column or EVERY_COLUMN, {}))
        for column, entries in columns.items():
            for canonical in entries.values():
                further = entries.get(fold(canonical))
                if further is not None and further != canonical:
                    raise AliasError(
                        f"alias {column!r}: {canonical!r} is itself mapped to {further!r}; "
                        "map every variant straight to the final label"
                    )
        return cls(columns)

    def for_column(self, column: str) -> dict[str, str]:
        """Spelling key → canonical label for one column (its own entries win)."""
        return {
            **self.columns.get(EVERY_COLUMN, {}),
            **self.columns.get(column_key(column), {}),
        }

    def apply(self, column: str, labels: Iterable[str]) -> dict[str, str]:
        """Each of ``labels`` → the label it is reported under."""
        entries = self.for_column(column)
        return {
            label: label if label == BLANK else entries.get(fold(label), label) for label in labels
        }

    def as_dict(self) -> dict[str, dict[str, str]]:
        return {column: dict(entries) for column, entries in self.columns.items()}


def proposals_as_aliases(proposals: Iterable[MergeProposal]) -> dict[str, dict[str, str]]:
    """Proposals written as an alias map, to review and save as the alias file."""
    found: dict[str, dict[str, str]] = {}
    for proposal in proposals:
        entries = found.setdefault(proposal.column, {})
        for variant in proposal.variants:
            entries[variant] = proposal.canonical
    return found
