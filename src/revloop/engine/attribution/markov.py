"""Markov-chain attribution (order 1 to 3) with exact removal effects.

The chain
---------
Every path becomes a walk ``(start) -> s1 -> ... -> sk -> (conversion) | (null)``. At
order 1 the states are channels; at order ``k`` they are the windows of ``k``
consecutive channels (a path shorter than ``k`` is a single, shorter state), so
``a > b > c`` at order 2 walks ``(start) -> (a, b) -> (b, c)``. A path taken by ``c``
converting and ``n`` non-converting journeys adds ``c + n`` to each of its moves,
``c`` to its last state's move into ``(conversion)`` and ``n`` to its move into
``(null)``; dividing each row by its sum gives the maximum-likelihood transition
probabilities (ChannelAttribution builds the same matrix).

Consecutive repeats (``repeats``):

- ``"collapse"`` (default): repeated touches of the same channel are merged before
  states are built (``a > a > b`` is ``a > b``), as ChannelAttribution does at order 1;
- ``"keep"``: every touch is a step, so a state may move to itself;
- ``"channelattribution"``: windows are built from the raw touches and a window equal
  to the one before it is dropped; this is exactly what ChannelAttribution 2.2.5
  does at every order (``a > a > b`` at order 2 walks ``(a, a) -> (a, b)``), and the
  same as "collapse" at order 1. Use it to compare with that package.

Exact removal effects
---------------------
With transient states ``T`` (start and channel states), transition block ``Q`` and the
one-step conversion probabilities ``b``, the probability of ending in conversion from
each state solves ``(I - Q) x = b`` (absorbing-chain algebra: ``x = N b`` with the
fundamental matrix ``N = (I - Q)^-1``); ``P(conv) = x[start]``. Removing a channel
turns every state that contains it into a dead end (its walks go to null), i.e. the
same system restricted to the remaining states. The removal effect is
``1 - P(conv without channel) / P(conv)``, and a channel is credited
``total conversions * effect / sum of effects``. One sparse LU factorisation per
channel; no simulation, so results do not depend on a seed.

Conversion value gets its own removal effects, the exact counterpart of
ChannelAttribution's: each state's conversions carry the mean value of the
conversions that happened from it, ``y`` solves ``(I - Q) y = b * mean value`` and the
value effect is ``1 - y_without[start] / y[start]``. (ChannelAttribution draws a value
for each simulated conversion from the values observed after the walk's last state,
so its simulated effects estimate the same quantities.)

ChannelAttribution also stops simulated walks after as many steps as the longest
observed path and counts them as non-converting; the exact solve has no such cut-off,
which changes results by the (tiny) probability of walks that long.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import splu

from revloop.engine.attribution.journeys import FloatArray, IntArray, Journeys
from revloop.engine.attribution.result import AttributionResult, TransitionMatrix

RepeatPolicy = Literal["collapse", "keep", "channelattribution"]
BoolArray = NDArray[np.bool_]

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"
MAX_ORDER = 3
# Below this many transient states a dense solve beats building a sparse LU.
_DENSE_LIMIT = 600
# Largest lookup table (entries) worth allocating to count instead of sort.
_TABLE_LIMIT = 1 << 22


@dataclass(frozen=True, eq=False)
class _Walks:
    """Paths after dropping weightless paths and (optionally) merging repeats."""

    steps: IntArray
    offsets: IntArray
    conversions: FloatArray
    nulls: FloatArray
    value: FloatArray


@dataclass(frozen=True, eq=False)
class MarkovChain:
    """A fitted chain: state ``0`` is start, ``1..S`` channel states, ``S+1`` conversion,
    ``S+2`` null. ``contains[s - 1, c]`` says whether channel state ``s`` includes channel
    ``c``. ``q``, ``b_conversion`` and ``b_value`` are over the transient states ``0..S``.
    """

    states: tuple[str, ...]
    contains: BoolArray
    probabilities: sp.csr_array
    q: sp.csc_array
    b_conversion: FloatArray
    b_value: FloatArray
    total_conversions: float
    total_value: float

    @property
    def n_transient(self) -> int:
        return len(self.states) - 2

    def transition_matrix(self) -> TransitionMatrix:
        coo = self.probabilities.tocoo()
        order = np.lexsort((coo.col, coo.row))
        return TransitionMatrix(
            states=self.states,
            source=coo.row[order].astype(np.int64),
            target=coo.col[order].astype(np.int64),
            probability=coo.data[order].astype(np.float64),
        )

    def absorption(self, keep: BoolArray | None = None) -> tuple[float, float]:
        """``(P(conversion), expected value)`` from start, with only ``keep`` states alive."""
        q, b = self.q, np.column_stack([self.b_conversion, self.b_value])
        if keep is not None:
            index = np.flatnonzero(keep)
            q, b = q[index][:, index], b[index]
        n = q.shape[0]
        if n <= _DENSE_LIMIT:
            x = np.linalg.solve(np.eye(n) - q.toarray(), b)
        else:
            system = (sp.eye_array(n, format="csc") - q).tocsc()
            x = splu(system).solve(b)
        return float(x[0, 0]), float(x[0, 1])


def _walks(journeys: Journeys, repeats: RepeatPolicy) -> _Walks:
    weighted = (journeys.conversions + journeys.nulls) > 0
    keep_touch = weighted[journeys.path_of_step]
    if repeats == "collapse":
        same_as_before = np.zeros(journeys.n_touches, dtype=bool)
        same_as_before[1:] = journeys.steps[1:] == journeys.steps[:-1]
        keep_touch &= ~(same_as_before & (journeys.position > 0))
    lengths = np.bincount(journeys.path_of_step[keep_touch], minlength=journeys.n_paths)[weighted]
    offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return _Walks(
        steps=journeys.steps[keep_touch].astype(np.int64),
        offsets=offsets,
        conversions=journeys.conversions[weighted],
        nulls=journeys.nulls[weighted],
        value=journeys.value[weighted],
    )


def _window_codes(walks: _Walks, order: int, base: int) -> tuple[IntArray, IntArray]:
    """One integer code per state window, and the path each window belongs to.

    Digit ``j`` (in base ``base``) of a code is the ``j``-th channel of the window plus
    one; 0 pads windows of paths shorter than ``order``.
    """
    lengths = np.diff(walks.offsets)
    n_windows = np.maximum(lengths - order + 1, 1)
    path = np.repeat(np.arange(lengths.size, dtype=np.int64), n_windows)
    window_offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(n_windows, out=window_offsets[1:])
    local = np.arange(path.size, dtype=np.int64) - window_offsets[path]
    first_touch = walks.offsets[path] + local
    codes = np.zeros(path.size, dtype=np.int64)
    for j in range(order):
        inside = local + j < lengths[path]
        touch = np.where(inside, first_touch + j, 0)
        codes += np.where(inside, walks.steps[touch] + 1, 0) * base**j
    return codes, path


def _dense_unique(codes: IntArray, bound: int) -> tuple[IntArray, IntArray]:
    """``np.unique(codes, return_inverse=True)`` for codes in ``0..bound-1``.

    Counting into a table of ``bound`` slots is linear; sorting 10M codes is not. Falls
    back to sorting when the table would be large (many channels at order 3).
    """
    if bound > _TABLE_LIMIT:
        distinct, inverse = np.unique(codes, return_inverse=True)
        return distinct.astype(np.int64), inverse.astype(np.int64).reshape(-1)
    present = np.bincount(codes, minlength=bound) > 0
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present).astype(np.int64), rank[codes].astype(np.int64)


def _count_pairs(source: IntArray, target: IntArray, weight: FloatArray, size: int) -> sp.csr_array:
    """Sum ``weight`` per (source, target) into a ``size x size`` sparse matrix."""
    if size * size <= _TABLE_LIMIT:
        dense = np.bincount(source * size + target, weights=weight, minlength=size * size)
        return sp.csr_array(dense.reshape(size, size))
    counts = sp.coo_array((weight, (source, target)), shape=(size, size)).tocsr()
    counts.eliminate_zeros()
    return counts


def fit_chain(
    journeys: Journeys, *, order: int = 1, repeats: RepeatPolicy = "collapse"
) -> MarkovChain:
    """Count transitions and build the absorbing chain (see the module docstring)."""
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be 1..{MAX_ORDER}, got {order}")
    n_channels = len(journeys.channels)
    base = n_channels + 1
    if base**order >= 2**62:
        raise ValueError(f"too many channels ({n_channels}) for order {order}")
    walks = _walks(journeys, repeats)
    if walks.conversions.size == 0:
        raise ValueError("no journey has conversions or non-conversions to fit a chain on")
    codes, path = _window_codes(walks, order, base)

    first_of_path = np.ones(path.size, dtype=bool)
    first_of_path[1:] = path[1:] != path[:-1]
    if repeats == "channelattribution":
        repeated = np.zeros(path.size, dtype=bool)
        repeated[1:] = (codes[1:] == codes[:-1]) & ~first_of_path[1:]
        codes, path, first_of_path = codes[~repeated], path[~repeated], first_of_path[~repeated]

    state_codes, state_index = _dense_unique(codes, base**order)
    state = state_index + 1
    n_states = state_codes.size
    conversion, null = n_states + 1, n_states + 2
    size = n_states + 3

    last_of_path = np.ones(path.size, dtype=bool)
    last_of_path[:-1] = path[:-1] != path[1:]
    previous = np.empty_like(state)
    previous[0] = 0
    previous[1:] = state[:-1]
    previous[first_of_path] = 0
    moves = walks.conversions[path] + walks.nulls[path]
    ends = state[last_of_path]
    ending_paths = path[last_of_path]
    source = np.concatenate([previous, ends, ends])
    target = np.concatenate([state, np.full(ends.size, conversion), np.full(ends.size, null)])
    weight = np.concatenate([moves, walks.conversions[ending_paths], walks.nulls[ending_paths]])
    counts = _count_pairs(source, target, weight, size)

    out_flow = np.asarray(counts.sum(axis=1)).ravel()
    out_flow[out_flow == 0] = 1.0  # absorbing rows; every transient row has flow > 0
    probabilities = sp.csr_array(sp.diags_array(1.0 / out_flow) @ counts)
    transient = slice(0, n_states + 1)
    value_out = np.bincount(ends, weights=walks.value[ending_paths], minlength=n_states + 1)

    digits = (state_codes[:, None] // base ** np.arange(order)[None, :]) % base - 1
    contains = np.zeros((n_states, n_channels), dtype=bool)
    rows, columns = np.nonzero(digits >= 0)
    contains[rows, digits[rows, columns]] = True
    labels = tuple(
        " > ".join(journeys.channels[d] for d in row if d >= 0) for row in digits.tolist()
    )
    return MarkovChain(
        states=(START, *labels, CONVERSION, NULL),
        contains=contains,
        probabilities=probabilities,
        q=sp.csc_array(probabilities[transient, transient]),
        b_conversion=probabilities[transient, [conversion]].toarray().ravel(),
        b_value=value_out / out_flow[transient],
        total_conversions=float(walks.conversions.sum()),
        total_value=float(walks.value.sum()),
    )


def removal_effects(chain: MarkovChain) -> tuple[FloatArray, FloatArray, float]:
    """Exact removal effects per channel for conversions and for value, and P(conversion)."""
    p_conversion, expected_value = chain.absorption()
    n_channels = chain.contains.shape[1]
    effect_conversions = np.zeros(n_channels)
    effect_value = np.zeros(n_channels)
    if p_conversion <= 0:
        return effect_conversions, effect_value, p_conversion
    for channel in np.flatnonzero(chain.contains.any(axis=0)):
        keep = np.concatenate([[True], ~chain.contains[:, channel]])
        p_without, value_without = chain.absorption(keep)
        effect_conversions[channel] = 1.0 - p_without / p_conversion
        if expected_value > 0:
            effect_value[channel] = 1.0 - value_without / expected_value
    # Solver round-off can leave -1e-17 for a channel that never leads to a conversion.
    return np.clip(effect_conversions, 0.0, 1.0), np.clip(effect_value, 0.0, 1.0), p_conversion


def _share(total: float, effects: FloatArray) -> FloatArray:
    weight = effects.sum()
    if weight <= 0:
        return np.zeros_like(effects)
    shared: FloatArray = total * effects / weight
    return shared


def markov(
    journeys: Journeys, *, order: int = 1, repeats: RepeatPolicy = "collapse"
) -> AttributionResult:
    """Markov-chain attribution with exact removal effects (module docstring: the maths).

    ``extras`` holds ``removal_effect_conversions`` and ``removal_effect_value`` per
    channel; ``transition_matrix`` the fitted chain; ``method`` the order, repeat policy,
    number of states and P(conversion).
    """
    if not np.any(journeys.conversions + journeys.nulls):
        nothing = np.zeros(len(journeys.channels))
        return AttributionResult(
            model="markov",
            channels=journeys.channels,
            conversions=nothing,
            value=nothing.copy(),
            extras={
                "removal_effect_conversions": nothing.copy(),
                "removal_effect_value": nothing.copy(),
            },
            method="no journeys with outcomes: nothing to credit",
        )
    chain = fit_chain(journeys, order=order, repeats=repeats)
    effect_conversions, effect_value, p_conversion = removal_effects(chain)
    return AttributionResult(
        model="markov",
        channels=journeys.channels,
        conversions=_share(chain.total_conversions, effect_conversions),
        value=_share(chain.total_value, effect_value),
        extras={
            "removal_effect_conversions": effect_conversions,
            "removal_effect_value": effect_value,
        },
        transition_matrix=chain.transition_matrix(),
        method=(
            f"exact absorbing-chain solve; order {order}, repeats {repeats}, "
            f"{chain.n_transient - 1} states, P(conversion) {p_conversion:.6g}"
        ),
    )
