"""The share of leads each rep should get, to measure a rotation against.

With capacities, the weighted share is water-filled: reps whose capacity is below
their weighted share get their capacity, and the rest is shared again by weight
among the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def weighted_shares(
    total: int, weights: Mapping[str, float], capacities: Mapping[str, int | None]
) -> dict[str, float]:
    """Expected leads per rep out of ``total`` (capacity ``None`` means no limit)."""
    shares: dict[str, float] = {}
    open_reps = set(weights)
    remaining = float(total)
    while open_reps:
        per_weight = remaining / sum(weights[rep] for rep in open_reps)
        capped = {
            rep
            for rep in open_reps
            if (cap := capacities.get(rep)) is not None and cap < per_weight * weights[rep]
        }
        if not capped:
            shares.update({rep: per_weight * weights[rep] for rep in open_reps})
            break
        for rep in capped:
            cap = capacities[rep]
            assert cap is not None  # only reps with a capacity are capped
            shares[rep] = float(cap)
            remaining -= cap
        open_reps -= capped
    return shares


def max_relative_deviation(
    counts: Mapping[str, int], shares: Mapping[str, float], reps: Sequence[str]
) -> float:
    """The largest ``|count - share| / share`` over ``reps``."""
    return max(abs(counts.get(rep, 0) - shares[rep]) / shares[rep] for rep in reps)
