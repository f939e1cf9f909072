"""Shapley-value attribution.

The game
--------
Players are channels. The worth of a coalition ``S`` is the conversions (or
conversion value) of the journeys whose *set* of channels is a subset of ``S``:
``v(S) = sum of w_j over journeys j with channels(j) <= S``. It is the usual choice
for path data (Zhao et al. 2018, "Shapley value methods for attribution modeling in
online advertising"; the marketing-attribution-models package), because it needs no
model of what a journey would have done without a channel: a coalition is credited
exactly the conversions that it could have produced on its own. ``v`` of the empty
set is 0 and ``v`` of all channels is the total, so the values add up to the total
(efficiency). Non-converting journeys do not enter ``v``; order and repeats within a
journey do not either.

Exact computation
-----------------
Up to ``max_exact_channels`` channels (15 by default: 32,768 coalitions) the model
enumerates every coalition: the journeys' conversions are binned by channel-set
bitmask, a subset-sum (zeta) transform gives ``v`` for all coalitions at once, and
the Shapley formula ``phi_i = sum over S without i of |S|!(n-|S|-1)!/n! (v(S+i) - v(S))``
runs over all of them, vectorised.

Beyond that limit no approximation is needed: ``v`` is a sum of unanimity games (one
per journey, on its channel set) and the Shapley value of a unanimity game splits
its worth equally among its members, so ``phi_i = sum over journeys containing i of
w_j / |channels(j)|`` -- exact for any number of channels, in one pass over the
touches. The enumeration is kept (and tested to agree with this closed form) because
it is the definition, and it serves any other characteristic function through
``shapley_from_worth``; ``method`` in the result says which was used.
"""

from __future__ import annotations

from math import factorial

import numpy as np

from revloop.engine.attribution.journeys import FloatArray, IntArray, Journeys, sum_per_channel
from revloop.engine.attribution.result import AttributionResult

DEFAULT_MAX_EXACT_CHANNELS = 15
# 2**24 coalitions of float64 is 128 MiB per array; more is never worth enumerating.
_ENUMERATION_CEILING = 24


def worth_from_coalition_weights(weights: FloatArray) -> FloatArray:
    """Subset-sum transform: ``v(S) = sum of weights[T] for T subset of S``.

    ``weights`` has ``2**n`` entries indexed by bitmask. Reshaped to ``(2,) * n`` each
    axis is one player, and a cumulative sum along it adds "coalitions without the
    player" into "coalitions with it" -- the n passes of the fast zeta transform.
    """
    n = int(weights.size).bit_length() - 1
    if weights.size != 1 << n:
        raise ValueError(f"expected 2**n entries, got {weights.size}")
    # Axis k of the C-ordered reshape is bit n-1-k of the index; every axis is summed, so
    # the correspondence does not matter.
    cube = weights.astype(np.float64).reshape((2,) * n) if n else weights.astype(np.float64)
    for axis in range(n):
        cube = np.cumsum(cube, axis=axis)
    worth: FloatArray = cube.reshape(-1)
    return worth


def _popcount(masks: IntArray) -> IntArray:
    counts = np.zeros_like(masks)
    remaining = masks.copy()
    while np.any(remaining):
        counts += remaining & 1
        remaining >>= 1
    return counts


def shapley_from_worth(worth: FloatArray) -> FloatArray:
    """Exact Shapley values of an ``n``-player game given ``v`` for all ``2**n`` coalitions.

    ``worth[mask]`` is ``v`` of the coalition whose members are the set bits of ``mask``
    (player ``i`` is bit ``i``); returns one value per player.
    """
    n = int(worth.size).bit_length() - 1
    if worth.size != 1 << n:
        raise ValueError(f"expected 2**n entries, got {worth.size}")
    masks = np.arange(1 << n, dtype=np.int64)
    size = _popcount(masks)
    # Weight of a coalition of size s that a new player joins: s! (n - s - 1)! / n!.
    by_size = np.array(
        [factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)], dtype=np.float64
    )
    values = np.zeros(n, dtype=np.float64)
    for player in range(n):
        without = masks[(masks >> player) & 1 == 0]
        gains = worth[without | (1 << player)] - worth[without]
        values[player] = float(np.dot(by_size[size[without]], gains))
    return values


def _distinct_touches(journeys: Journeys) -> tuple[IntArray, IntArray]:
    """Each (path, channel) pair once: returns the pairs' paths and channels."""
    n_channels = len(journeys.channels)
    keys = np.unique(journeys.path_of_step * n_channels + journeys.steps)
    return keys // n_channels, keys % n_channels


def _closed_form(journeys: Journeys, weights: FloatArray) -> FloatArray:
    paths, channels = _distinct_touches(journeys)
    set_size = np.bincount(paths, minlength=journeys.n_paths)
    shares = weights[paths] / set_size[paths]
    return np.bincount(channels, weights=shares, minlength=len(journeys.channels)).astype(
        np.float64
    )


def _enumerated(
    journeys: Journeys, players: IntArray, weight_sets: tuple[FloatArray, ...]
) -> tuple[FloatArray, ...]:
    """Shapley values by full enumeration over the coalitions of ``players``."""
    n_channels = len(journeys.channels)
    bit_of_channel = np.zeros(n_channels, dtype=np.int64)
    bit_of_channel[players] = 1 << np.arange(players.size, dtype=np.int64)
    # Channels outside ``players`` only occur in weightless paths, which add nothing.
    masks = np.bitwise_or.reduceat(bit_of_channel[journeys.steps], journeys.offsets[:-1])
    results = []
    for weights in weight_sets:
        by_mask = np.bincount(masks, weights=weights, minlength=1 << players.size).astype(
            np.float64
        )
        values = shapley_from_worth(worth_from_coalition_weights(by_mask))
        per_channel = np.zeros(n_channels, dtype=np.float64)
        per_channel[players] = values
        results.append(per_channel)
    return tuple(results)


def shapley(
    journeys: Journeys, *, max_exact_channels: int = DEFAULT_MAX_EXACT_CHANNELS
) -> AttributionResult:
    """Shapley-value attribution of conversions and value (the game: module docstring).

    Enumerates all coalitions when at most ``max_exact_channels`` channels appear in
    journeys with conversions or value, otherwise uses the exact closed form.
    """
    if not 0 <= max_exact_channels <= _ENUMERATION_CEILING:
        raise ValueError(f"max_exact_channels must be 0..{_ENUMERATION_CEILING}")
    weighted = (journeys.conversions > 0) | (journeys.value > 0)
    appears = sum_per_channel(journeys, weighted[journeys.path_of_step].astype(np.float64))
    players = np.flatnonzero(appears > 0).astype(np.int64)
    if players.size <= max_exact_channels:
        conversions, value = _enumerated(journeys, players, (journeys.conversions, journeys.value))
        method = f"exact enumeration over {1 << players.size} coalitions"
    else:
        conversions = _closed_form(journeys, journeys.conversions)
        value = _closed_form(journeys, journeys.value)
        method = (
            f"exact closed form (equal split over each journey's channels), {players.size} channels"
        )
    return AttributionResult(
        model="shapley",
        channels=journeys.channels,
        conversions=conversions,
        value=value,
        method=method,
    )
