"""Markov-chain attribution from aggregated transition counts.

The chain of :mod:`.markov` is fully determined by how often each move was observed:
``(from_state, to_state, count)`` for every move, including those out of
``(start)`` and into ``(conversion)`` / ``(null)``, plus the conversion value carried
into ``(conversion)`` from each state. A query engine can count those moves over
millions of journeys (window functions over touches ordered per journey) and return
a table of a few hundred rows; :func:`markov_from_counts` then solves the same
absorbing chain, with the same exact removal effects, as :func:`.markov.markov` does
over the journeys themselves.

States are tuples of channel labels, oldest first: ``("email",)`` at order 1,
``("email", "events")`` at order 2 (a path shorter than the order is one shorter
state, as in :mod:`.markov`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp

from revloop.engine.attribution.journeys import FloatArray, IntArray, Journeys
from revloop.engine.attribution.markov import (
    CONVERSION,
    MAX_ORDER,
    NULL,
    START,
    MarkovChain,
    RepeatPolicy,
    removal_effects,
)
from revloop.engine.attribution.result import AttributionResult

State = tuple[str, ...]
#: One observed move: from a state (``()`` is start) to a state, how many times.
Move = tuple[State, State, float]
#: One final state: how many journeys ended there converting, how many did not, and
#: the conversion value they carried.
End = tuple[State, float, float, float]


@dataclass(frozen=True, eq=False)
class TransitionCounts:
    """Observed moves of an absorbing Markov chain, aggregated over journeys.

    ``states[0]`` is start, ``states[1:]`` the channel states (label tuples);
    ``len(states)`` is ``(conversion)`` and ``len(states) + 1`` is ``(null)``.
    ``source[i] -> target[i]`` was observed ``count[i]`` times, and ``value[i]`` is the
    conversion value carried by those moves (non-zero only into ``(conversion)``).
    ``channels`` are the labels the states are made of, sorted.
    """

    channels: tuple[str, ...]
    states: tuple[State, ...]
    source: IntArray
    target: IntArray
    count: FloatArray
    value: FloatArray

    def __post_init__(self) -> None:
        n = len(self.source)
        for name in ("target", "count", "value"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name}: needs one entry per move ({n})")
        if n and (self.source.min() < 0 or self.source.max() >= len(self.states)):
            raise ValueError("source: must index a start or channel state")
        if n and (self.target.min() < 1 or self.target.max() > len(self.states) + 1):
            raise ValueError("target: must index a channel, conversion or null state")
        if np.any(self.count < 0) or np.any(self.value < 0):
            raise ValueError("count and value must not be negative")
        if self.states and self.states[0] != ():
            raise ValueError("states[0] must be the start state ()")
        for array in (self.source, self.target, self.count, self.value):
            array.flags.writeable = False

    @classmethod
    def from_moves(cls, moves: Iterable[Move], ends: Iterable[End]) -> TransitionCounts:
        """Build from moves between states and from what happened at the last state.

        Moves with the same endpoints are added up; zero counts are dropped.
        """
        moves, ends = list(moves), list(ends)
        labels = sorted(
            {label for _, to, _ in moves for label in to}
            | {label for state, *_ in ends for label in state}
        )
        states = sorted({to for _, to, _ in moves} | {state for state, *_ in ends})
        index = {state: i + 1 for i, state in enumerate(states)}
        index[()] = 0
        conversion, null = len(states) + 1, len(states) + 2
        source: list[int] = []
        target: list[int] = []
        count: list[float] = []
        value: list[float] = []
        for origin, to, times in moves:
            source.append(index[origin])
            target.append(index[to])
            count.append(times)
            value.append(0.0)
        for state, converted, lost, carried in ends:
            source += [index[state], index[state]]
            target += [conversion, null]
            count += [converted, lost]
            value += [carried, 0.0]
        frame = (
            pl.DataFrame(
                {"source": source, "target": target, "count": count, "value": value},
                schema={
                    "source": pl.Int64,
                    "target": pl.Int64,
                    "count": pl.Float64,
                    "value": pl.Float64,
                },
            )
            .group_by("source", "target")
            .agg(pl.col("count").sum(), pl.col("value").sum())
            .filter(pl.col("count") > 0)
            .sort("source", "target")
        )
        return cls(
            channels=tuple(labels),
            states=((), *states),
            source=frame["source"].to_numpy().astype(np.int64),
            target=frame["target"].to_numpy().astype(np.int64),
            count=frame["count"].to_numpy().astype(np.float64),
            value=frame["value"].to_numpy().astype(np.float64),
        )

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, *, separator: str = " > ") -> TransitionCounts:
        """Read a ``from_state, to_state, count[, value]`` table, as :meth:`frame` writes
        it: states are labels joined by ``separator``, or ``(start)``, ``(conversion)``,
        ``(null)``. (Labels containing the separator cannot be read back this way.)"""
        missing = {"from_state", "to_state", "count"} - set(frame.columns)
        if missing:
            raise ValueError(f"transition counts: missing column(s) {sorted(missing)}")
        values = frame["value"] if "value" in frame.columns else pl.Series([0.0] * frame.height)
        moves: list[Move] = []
        ends: dict[State, list[float]] = {}

        def state(text: str) -> State:
            return () if text == START else tuple(text.split(separator))

        for origin, to, times, carried in zip(
            frame["from_state"], frame["to_state"], frame["count"], values, strict=True
        ):
            if to in (CONVERSION, NULL):
                end = ends.setdefault(state(origin), [0.0, 0.0, 0.0])
                end[0 if to == CONVERSION else 1] += float(times)
                end[2] += float(carried or 0.0)
            else:
                moves.append((state(origin), state(to), float(times)))
        return cls.from_moves(moves, [(s, c, n, v) for s, (c, n, v) in ends.items()])

    def state_names(self) -> tuple[str, ...]:
        """Readable names: start, the channel states joined by " > ", conversion, null."""
        return (START, *(" > ".join(s) for s in self.states[1:]), CONVERSION, NULL)

    def frame(self) -> pl.DataFrame:
        """The counts as a ``from_state, to_state, count, value`` table."""
        names = self.state_names()
        return pl.DataFrame(
            {
                "from_state": [names[s] for s in self.source],
                "to_state": [names[t] for t in self.target],
                "count": self.count,
                "value": self.value,
            }
        )

    @property
    def total_conversions(self) -> float:
        return float(self.count[self.target == len(self.states)].sum())

    @property
    def total_value(self) -> float:
        return float(self.value.sum())


def chain_from_counts(counts: TransitionCounts) -> MarkovChain:
    """The absorbing chain that :func:`.markov.fit_chain` would fit on the journeys
    these moves were counted from."""
    n_states = len(counts.states) - 1
    if counts.count.sum() <= 0:
        raise ValueError("no observed moves to fit a chain on")
    size = n_states + 3
    conversion = n_states + 1
    matrix = sp.coo_array(
        (counts.count, (counts.source, counts.target)), shape=(size, size)
    ).tocsr()
    out_flow: FloatArray = np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()
    out_flow[out_flow == 0] = 1.0
    probabilities = sp.csr_array(sp.diags_array(1.0 / out_flow) @ matrix)
    transient = slice(0, n_states + 1)
    value_out = np.bincount(counts.source, weights=counts.value, minlength=n_states + 1)
    column = {label: i for i, label in enumerate(counts.channels)}
    contains = np.zeros((n_states, len(counts.channels)), dtype=bool)
    for row, state in enumerate(counts.states[1:]):
        contains[row, [column[label] for label in state]] = True
    return MarkovChain(
        states=counts.state_names(),
        contains=contains,
        probabilities=probabilities,
        q=sp.csc_array(probabilities[transient, transient]),
        b_conversion=probabilities[transient, [conversion]].toarray().ravel(),
        b_value=value_out[: n_states + 1] / out_flow[transient],
        total_conversions=counts.total_conversions,
        total_value=counts.total_value,
    )


def _share(total: float, effects: FloatArray) -> FloatArray:
    weight = effects.sum()
    if weight <= 0:
        return np.zeros_like(effects)
    shared: FloatArray = total * effects / weight
    return shared


def markov_from_counts(
    counts: TransitionCounts, *, channels: Sequence[str] | None = None, detail: str = ""
) -> AttributionResult:
    """Markov attribution with exact removal effects from aggregated counts.

    Gives what :func:`.markov.markov` gives on the journeys the counts came from.
    ``channels`` lists the result's channels (default: those in the counts); a
    channel outside the counts gets 0. ``detail`` is added to ``method``.
    """
    names = tuple(channels) if channels is not None else counts.channels
    position = {label: i for i, label in enumerate(names)}
    unknown = [label for label in counts.channels if label not in position]
    if unknown:
        raise ValueError(f"channels: missing {unknown[:5]} that the counts contain")
    conversions = np.zeros(len(names))
    value = np.zeros(len(names))
    effect_conversions = np.zeros(len(names))
    effect_value = np.zeros(len(names))
    if counts.count.sum() <= 0:
        return AttributionResult(
            model="markov",
            channels=names,
            conversions=conversions,
            value=value,
            extras={
                "removal_effect_conversions": effect_conversions,
                "removal_effect_value": effect_value,
            },
            method="no journeys with outcomes: nothing to credit",
        )
    chain = chain_from_counts(counts)
    effects, value_effects, p_conversion = removal_effects(chain)
    where = np.array([position[label] for label in counts.channels], dtype=np.int64)
    effect_conversions[where] = effects
    effect_value[where] = value_effects
    conversions[where] = _share(chain.total_conversions, effects)
    value[where] = _share(chain.total_value, value_effects)
    method = (
        f"exact absorbing-chain solve from transition counts; "
        f"{chain.n_transient - 1} states, P(conversion) {p_conversion:.6g}"
    )
    return AttributionResult(
        model="markov",
        channels=names,
        conversions=conversions,
        value=value,
        extras={
            "removal_effect_conversions": effect_conversions,
            "removal_effect_value": effect_value,
        },
        transition_matrix=chain.transition_matrix(),
        method=f"{method}; {detail}" if detail else method,
    )


def count_transitions(
    journeys: Journeys, *, order: int = 1, repeats: RepeatPolicy = "collapse"
) -> TransitionCounts:
    """The moves of :func:`.markov.fit_chain`'s chain, counted in Python.

    A path at a time: meant for small inputs and for checking counts made elsewhere.
    """
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be 1..{MAX_ORDER}, got {order}")
    moves: list[Move] = []
    ends: list[End] = []
    for path in range(journeys.n_paths):
        converted, lost = float(journeys.conversions[path]), float(journeys.nulls[path])
        if converted + lost <= 0:
            continue
        labels = list(journeys.path_labels(path))
        if repeats == "collapse":
            labels = [x for i, x in enumerate(labels) if i == 0 or x != labels[i - 1]]
        windows = [tuple(labels[i : i + order]) for i in range(max(len(labels) - order + 1, 1))]
        if repeats == "channelattribution":
            windows = [w for i, w in enumerate(windows) if i == 0 or w != windows[i - 1]]
        previous: State = ()
        for window in windows:
            moves.append((previous, window, converted + lost))
            previous = window
        ends.append((previous, converted, lost, float(journeys.value[path])))
    return TransitionCounts.from_moves(moves, ends)
