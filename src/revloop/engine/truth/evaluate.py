"""Precision and recall of the checker on a labelled set of snippets.

A set is a YAML list; each case has an ``id``, ``text`` or ``file`` (relative to the
set), an optional ``format`` (plain, markdown, html, eml) and ``expected``: the fact
ids a correct checker reports. Scoring counts (case, fact id) pairs: a fact reported
twice in one snippet is one true positive, as a reviewer would count it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from revloop.engine.truth.check import Checker
from revloop.engine.truth.extract import FORMATS


@dataclass(frozen=True)
class Case:
    id: str
    raw: str | bytes
    format: str
    expected: frozenset[str]


@dataclass(frozen=True)
class Score:
    cases: int
    true_positives: int
    false_positives: int
    false_negatives: int
    seconds: float
    misses: tuple[tuple[str, str], ...]
    false_alarms: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float:
        reported = self.true_positives + self.false_positives
        return self.true_positives / reported if reported else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def per_second(self) -> float:
        return self.cases / self.seconds if self.seconds > 0 else float("inf")


def load_cases(path: str | Path) -> list[Case]:
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of cases")
    cases = []
    for number, entry in enumerate(data):
        if not isinstance(entry, dict) or "id" not in entry or "expected" not in entry:
            raise ValueError(f"{path}: case {number} needs an id and expected")
        fmt = str(entry.get("format", "plain"))
        if fmt not in FORMATS:
            raise ValueError(f"{path}: case {entry['id']}: unknown format {fmt!r}")
        raw: str | bytes
        if "file" in entry:
            raw = (path.parent / str(entry["file"])).read_bytes()
        else:
            raw = str(entry["text"])
        cases.append(Case(str(entry["id"]), raw, fmt, frozenset(map(str, entry["expected"] or ()))))
    return cases


def evaluate(checker: Checker, cases: list[Case]) -> Score:
    tp = fp = fn = 0
    misses: list[tuple[str, str]] = []
    alarms: list[tuple[str, str]] = []
    started = time.perf_counter()
    for case in cases:
        found = {f.fact for f in checker.check(case.raw, case.format).findings}
        tp += len(found & case.expected)
        for fact in sorted(found - case.expected):
            fp += 1
            alarms.append((case.id, fact))
        for fact in sorted(case.expected - found):
            fn += 1
            misses.append((case.id, fact))
    seconds = time.perf_counter() - started
    return Score(len(cases), tp, fp, fn, seconds, tuple(misses), tuple(alarms))
