"""Which content misinformed people: the excess rate of misinformed outcomes it goes with.

Every person who got a verdict from Sales is *judged*; some of them were judged
misinformed, each perhaps with the belief the rep recorded (a catalog fact id).
For an asset, the outcome that counts is "misinformed about something this asset
claims": a misinformed person whose belief is one of the asset's false claims, or
whose belief is unknown (nobody said what they believed). Its *excess rate* is the
rate of that outcome among the judged people who saw the asset before their verdict
minus the rate among those who did not, with a 95% interval (Newcombe's hybrid
score interval, sound for the small counts a single asset has). Assets are ranked
by the interval's lower end, so a large rate on a handful of people does not
outrank a moderate one on hundreds; raw counts rank nothing.

Observational: people who saw an asset differ from those who did not in more ways
than the asset; a high excess says where to look, the sentence says what to fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: 95% two-sided.
Z95 = 1.959963984540054
#: An asset is named as misinforming when the lower end of its interval is above this.
DEFAULT_THRESHOLD = 0.02


@dataclass(frozen=True)
class Judged:
    """The people Sales gave a verdict on, in any order (the answer does not depend on it)."""

    person: npt.NDArray[np.int64]
    misinformed: npt.NDArray[np.bool_]
    #: The fact the person believed ("" when the rep did not say).
    belief: Sequence[str]


@dataclass(frozen=True)
class AssetExcess:
    asset: int
    #: The asset's false claims (catalog fact ids) as the checker found them.
    claims: tuple[str, ...]
    seen: int
    seen_misinformed: int
    unseen: int
    unseen_misinformed: int
    rate_seen: float | None
    rate_unseen: float | None
    excess: float | None
    low: float | None
    high: float | None
    flagged: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there is no data."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(a: int, n1: int, b: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p2 (method 10 of Newcombe 1998)."""
    p1, p2 = a / n1, b / n2
    l1, u1 = wilson(a, n1, z)
    l2, u2 = wilson(b, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)


def rank_misinforming(
    judged: Judged,
    seen_person: npt.NDArray[np.int64],
    seen_asset: npt.NDArray[np.int64],
    claims: Mapping[int, Sequence[str]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[AssetExcess]:
    """Every asset in ``claims``, most misinforming first.

    ``seen_person[i]`` saw ``seen_asset[i]`` before their verdict (pairs may repeat;
    people not in ``judged`` are ignored). ``claims`` maps each asset to the fact ids
    of its false claims (empty when its copy is clean).
    """
    people = np.asarray(judged.person, dtype=np.int64)
    if len(people) != len(judged.misinformed) or len(people) != len(judged.belief):
        raise ValueError("judged: person, misinformed and belief must be the same length")
    if len(np.unique(people)) != len(people):
        raise ValueError("judged: a person may appear once")
    assets = np.array(sorted(claims), dtype=np.int64)
    order = np.argsort(people, kind="stable")
    people = people[order]
    misinformed = np.asarray(judged.misinformed, dtype=bool)[order]
    beliefs = np.array([str(b) for b in judged.belief], dtype=object)[order]

    seen = np.zeros((len(people), len(assets)), dtype=bool)
    if len(seen_person) and len(people) and len(assets):
        row = np.searchsorted(people, seen_person)
        row = np.minimum(row, len(people) - 1)
        col = np.minimum(np.searchsorted(assets, seen_asset), len(assets) - 1)
        keep = (people[row] == seen_person) & (assets[col] == seen_asset)
        seen[row[keep], col[keep]] = True

    unknown = misinformed & (beliefs == "")
    rows: list[AssetExcess] = []
    for j, asset in enumerate(assets.tolist()):
        facts = tuple(sorted(set(claims[asset])))
        outcome = unknown | (misinformed & np.isin(beliefs, list(facts)))
        saw = seen[:, j]
        n1, n2 = int(saw.sum()), int((~saw).sum())
        a, b = int((outcome & saw).sum()), int((outcome & ~saw).sum())
        rate1 = a / n1 if n1 else None
        rate2 = b / n2 if n2 else None
        excess = low = high = None
        if n1 and n2:
            excess = a / n1 - b / n2
            low, high = newcombe(a, n1, b, n2)
        rows.append(
            AssetExcess(
                asset=asset,
                claims=facts,
                seen=n1,
                seen_misinformed=a,
                unseen=n2,
                unseen_misinformed=b,
                rate_seen=rate1,
                rate_unseen=rate2,
                excess=excess,
                low=low,
                high=high,
                flagged=low is not None and low > threshold,
            )
        )
    rows.sort(
        key=lambda r: (
            -(r.low if r.low is not None else -2.0),
            -(r.excess if r.excess is not None else -2.0),
            r.asset,
        )
    )
    return rows
