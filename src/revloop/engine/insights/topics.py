"""Field insights: what prospects ask and object to, grouped into topics.

Each question or objection is read as a bag of stemmed words with TF-IDF weights
(so "per vehicle" and "per vehicles" are one word, "cost" and "price" one concept,
and words every item uses weigh little); identical texts are read once. Texts are
grouped by agglomerative clustering (average linkage on cosine distance) cut at a
fixed distance, so the number of topics follows from the data. The input is put in a canonical order
first, so the topics never depend on row order.

A topic gets a label (its heaviest words and the member closest to its centre),
example quotes, how often it came up in this period and the one before, the deals
where it came up (open pipeline, won of closed), and the content asset whose title
and copy are closest to it above a threshold, or none: a content gap.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.cluster import AgglomerativeClustering  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
    ENGLISH_STOP_WORDS,
    TfidfVectorizer,
)

from revloop.engine.insights.synonyms import concept
from revloop.engine.truth.text import stem

#: Cut the merge tree here (cosine distance, average linkage).
DEFAULT_DISTANCE = 0.91
#: An asset answers a topic when its cosine similarity to the topic is at least this.
DEFAULT_ANSWER_SIMILARITY = 0.15
#: Quotes kept per topic.
EXAMPLES = 3

#: Words every sales question carries and that say nothing about its subject.
_CHATTER = frozenset(
    {
        "brightline",
        "does",
        "do",
        "can",
        "could",
        "would",
        "will",
        "we",
        "our",
        "you",
        "your",
        "us",
        "it",
        "is",
        "are",
        "there",
        "what",
        "how",
        "much",
        "any",
        "get",
        "need",
        "want",
        "think",
        "know",
        "asked",
        "ask",
        "said",
        "says",
        "told",
        "they",
        "their",
        "she",
        "he",
        "really",
        "just",
        "also",
        "still",
        "yes",
        "no",
    }
)
_STOP = frozenset(ENGLISH_STOP_WORDS) | _CHATTER
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*|\d+(?:[.,]\d+)?")


def words(text: str) -> list[str]:
    """The stemmed content words of ``text``."""
    out = []
    for raw in _WORD.findall(text):
        word = raw.lower().strip("'-/")
        if not word or word in _STOP:
            continue
        stemmed = concept(stem(word))
        if stemmed and stemmed not in _STOP:
            out.append(stemmed)
    return out


def _canonical(text: str) -> str:
    return " ".join(text.split()).strip()


@dataclass(frozen=True)
class Said:
    """One question, objection or note as the rep wrote it down."""

    id: int
    text: str
    kind: str
    at: datetime
    person: int
    #: The deals of the person it was heard from (or the one it was heard on).
    deals: tuple[int, ...] = ()


@dataclass(frozen=True)
class Deal:
    id: int
    amount: Decimal
    currency: str
    #: True won, False lost, None still open.
    won: bool | None


@dataclass(frozen=True)
class Asset:
    id: int
    title: str
    text: str


@dataclass(frozen=True)
class Topic:
    label: str
    terms: tuple[str, ...]
    representative: str
    examples: tuple[str, ...]
    items: tuple[int, ...]
    kinds: Mapping[str, int]
    count: int
    this_period: int
    last_period: int
    people: int
    deals: int
    #: Open pipeline per currency, as text (Decimal is exact; JSON has no Decimal).
    pipeline: Mapping[str, str]
    won: int
    closed: int
    win_rate: float | None
    answered_by: int | None
    answered_by_title: str | None
    answer_similarity: float
    content_gap: bool
    trend: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "terms": list(self.terms),
            "representative": self.representative,
            "examples": list(self.examples),
            "count": self.count,
            "kinds": dict(self.kinds),
            "this_period": self.this_period,
            "last_period": self.last_period,
            "trend": self.trend,
            "people": self.people,
            "deals": self.deals,
            "pipeline": dict(self.pipeline),
            "win_rate": self.win_rate,
            "win_rate_numerator": self.won,
            "win_rate_denominator": self.closed,
            "answered_by": self.answered_by,
            "answered_by_title": self.answered_by_title,
            "answer_similarity": round(self.answer_similarity, 4),
            "content_gap": self.content_gap,
            "items": list(self.items),
        }


def _analyzer(text: str) -> list[str]:
    return words(text)


class _Features:
    """Word stems (and their buying synonyms), TF-IDF weighted.

    Character n-grams were tried beside them: they join texts that share only
    letter groups ("push back" and "push trips"), and grouped worse.
    """

    def __init__(self) -> None:
        self.words = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, norm="l2")

    def fit_transform(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        self.words.fit([t.lower() for t in texts])
        return self.transform(texts)

    def transform(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        rows: npt.NDArray[np.float64] = self.words.transform([t.lower() for t in texts]).toarray()
        return rows

    def word_names(self) -> list[str]:
        return [str(n) for n in self.words.get_feature_names_out()]


def group_texts(
    texts: Sequence[str], *, distance: float = DEFAULT_DISTANCE
) -> tuple[list[list[int]], Any, npt.NDArray[np.float64]]:
    """Group ``texts`` into topics: lists of indexes into ``texts``, largest first.

    Also returns the fitted vectoriser and the unit TF-IDF rows of the distinct texts.
    """
    canon = [_canonical(t) for t in texts]
    distinct = sorted({c for c in canon if c}, key=lambda c: (c.lower(), c))
    if not distinct:
        return [], None, np.zeros((0, 0))
    vectorizer: _Features | None = _Features()
    try:
        matrix = vectorizer.fit_transform(distinct)  # type: ignore[union-attr]
    except ValueError:  # nothing but stop words anywhere
        vectorizer, matrix = None, np.zeros((len(distinct), 1))
    if len(distinct) == 1:
        labels = np.zeros(1, dtype=np.int64)
    else:
        # An all-zero row (only stop words) has no direction: its own group.
        empty = ~matrix.any(axis=1)
        dense = matrix.copy()
        dense[empty, 0] = 1.0
        model = AgglomerativeClustering(
            n_clusters=None,
            metric="cosine",
            linkage="average",
            distance_threshold=distance,
        )
        labels = model.fit_predict(dense)
    index_of = {c: i for i, c in enumerate(distinct)}
    members: dict[int, list[int]] = defaultdict(list)
    for position, text in enumerate(canon):
        if text:
            members[int(labels[index_of[text]])].append(position)
    groups = sorted(members.values(), key=lambda g: (-len(g), min(canon[i].lower() for i in g), g))
    return groups, vectorizer, matrix


def _vectors(vectorizer: _Features | None, texts: Sequence[str]) -> npt.NDArray[np.float64]:
    if vectorizer is None:
        return np.zeros((len(texts), 1))
    rows: npt.NDArray[np.float64] = vectorizer.transform(texts)
    return rows


def _unit(vector: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _surface_words(texts: Sequence[str]) -> dict[str, str]:
    """For each stem, the word it most often comes from (the label shows words)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for raw in _WORD.findall(text):
            word = raw.lower().strip("'-/")
            if word and word not in _STOP:
                seen[concept(stem(word))][word] += 1
    return {s: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for s, c in seen.items()}


def _trend(this: int, last: int) -> str:
    if this == last:
        return "steady"
    if last == 0:
        return "new"
    change = (this - last) / last
    if abs(change) < 0.2:
        return "steady"
    return "rising" if change > 0 else "falling"


def field_insights(
    said: Sequence[Said],
    deals: Mapping[int, Deal],
    assets: Sequence[Asset],
    *,
    now: datetime,
    period: timedelta = timedelta(days=30),
    distance: float = DEFAULT_DISTANCE,
    answer_similarity: float = DEFAULT_ANSWER_SIMILARITY,
) -> list[Topic]:
    """Topics of what was said, the most frequent first (module docstring)."""
    ordered = sorted(said, key=lambda s: (s.id, s.text))
    groups, vectorizer, _ = group_texts([s.text for s in ordered], distance=distance)
    asset_list = sorted(assets, key=lambda a: a.id)
    # Matching reads every word of the copy too (a vocabulary of the questions alone
    # would make a short page that shares one word look like an answer).
    matcher = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, norm="l2")
    asset_texts = [f"{a.title}. {a.text}".lower() for a in asset_list]
    try:
        matcher.fit([s.text.lower() for s in ordered] + asset_texts)
        asset_vectors = matcher.transform(asset_texts).toarray()
    except ValueError:  # no word anywhere
        matcher, asset_vectors = None, np.zeros((len(asset_list), 1))
    surface = _surface_words([s.text for s in ordered])
    features = vectorizer.word_names() if vectorizer is not None else []
    start_this, start_last = now - period, now - 2 * period
    topics = []
    for group in groups:
        members = [ordered[i] for i in group]
        vectors = _vectors(vectorizer, [m.text for m in members])
        centre = _unit(vectors.mean(axis=0))
        closeness = vectors @ centre
        by_text: dict[str, float] = {}
        for member, score in zip(members, closeness, strict=True):
            text = _canonical(member.text)
            by_text[text] = max(by_text.get(text, -1.0), float(score))
        quotes = sorted(by_text, key=lambda t: (-round(by_text[t], 9), t.lower(), t))
        weights = centre[: len(features)]
        top = [
            int(j)
            for j in sorted(range(len(weights)), key=lambda j: (-weights[j], features[j]))[:3]
            if weights[j] > 0
        ]
        terms = tuple(surface.get(features[j], features[j]) for j in top)
        deal_ids = sorted({d for m in members for d in m.deals if d in deals})
        pipeline: dict[str, Decimal] = {}
        won = closed = 0
        for d in deal_ids:
            deal = deals[d]
            if deal.won is None:
                pipeline[deal.currency] = pipeline.get(deal.currency, Decimal(0)) + deal.amount
            else:
                closed += 1
                won += int(deal.won)
        answered: Asset | None = None
        similarity = 0.0
        if asset_list:
            # Words only: shared letter groups make unrelated copy look alike.
            member_texts = [m.text.lower() for m in members]
            topic_words = (
                _unit(matcher.transform(member_texts).toarray().mean(axis=0))
                if matcher is not None
                else np.zeros(asset_vectors.shape[1])
            )
            scores = asset_vectors @ topic_words
            best = int(np.argmax(scores))
            similarity = float(scores[best])
            if similarity >= answer_similarity:
                answered = asset_list[best]
        this = sum(1 for m in members if start_this < m.at <= now)
        last = sum(1 for m in members if start_last < m.at <= start_this)
        topics.append(
            Topic(
                label=" · ".join(terms) if terms else quotes[0][:60],
                terms=terms,
                representative=quotes[0],
                examples=tuple(quotes[:EXAMPLES]),
                items=tuple(sorted(m.id for m in members)),
                kinds=dict(sorted(Counter(m.kind for m in members).items())),
                count=len(members),
                this_period=this,
                last_period=last,
                trend=_trend(this, last),
                people=len({m.person for m in members}),
                deals=len(deal_ids),
                pipeline={c: str(v) for c, v in sorted(pipeline.items())},
                won=won,
                closed=closed,
                win_rate=won / closed if closed else None,
                answered_by=answered.id if answered else None,
                answered_by_title=answered.title if answered else None,
                answer_similarity=0.0 if math.isnan(similarity) else similarity,
                content_gap=answered is None,
            )
        )
    return topics
