"""The one result type every attribution model returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from revloop.engine.attribution.journeys import FloatArray, IntArray


def _read_only(array: FloatArray | IntArray) -> None:
    array.flags.writeable = False


@dataclass(frozen=True, eq=False)
class TransitionMatrix:
    """A Markov chain's transition probabilities, sparse, with readable state names.

    ``states[0]`` is ``"(start)"``, the last two are ``"(conversion)"`` and ``"(null)"``;
    the others are channels (order 1) or channel tuples joined by ``" > "`` (order 2-3).
    ``source[i] -> target[i]`` happens with ``probability[i]``; each row of a start or
    channel state sums to 1 (the absorbing states have no rows).
    """

    states: tuple[str, ...]
    source: IntArray
    target: IntArray
    probability: FloatArray

    def __post_init__(self) -> None:
        for array in (self.source, self.target, self.probability):
            _read_only(array)

    def as_dict(self) -> dict[tuple[str, str], float]:
        """``{(from, to): probability}``; convenient for tests and small outputs."""
        return {
            (self.states[s], self.states[t]): float(p)
            for s, t, p in zip(self.source, self.target, self.probability, strict=True)
        }


@dataclass(frozen=True, eq=False)
class AttributionResult:
    """Credited conversions and conversion value per channel, from one model.

    ``conversions[i]`` and ``value[i]`` belong to ``channels[i]``; every model keeps all
    the input's channels (a channel it gives no credit has 0), in the input's order.
    ``extras`` holds further per-channel arrays aligned the same way, e.g. Markov's
    ``removal_effect_conversions``. ``method`` says how the figures were computed when a
    model has more than one way (e.g. exact subset enumeration vs. closed form).
    """

    model: str
    channels: tuple[str, ...]
    conversions: FloatArray
    value: FloatArray
    extras: Mapping[str, FloatArray] = field(default_factory=dict)
    transition_matrix: TransitionMatrix | None = None
    method: str = ""

    def __post_init__(self) -> None:
        n = len(self.channels)
        for name, array in (("conversions", self.conversions), ("value", self.value)):
            if array.shape != (n,):
                raise ValueError(f"{name}: expected shape ({n},), got {array.shape}")
            _read_only(array)
        for name, array in self.extras.items():
            if array.shape != (n,):
                raise ValueError(f"extras[{name!r}]: expected shape ({n},), got {array.shape}")
            _read_only(array)
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    @property
    def total_conversions(self) -> float:
        return float(self.conversions.sum())

    @property
    def total_value(self) -> float:
        return float(self.value.sum())

    def conversions_by_channel(self) -> dict[str, float]:
        return dict(zip(self.channels, map(float, self.conversions), strict=True))

    def value_by_channel(self) -> dict[str, float]:
        return dict(zip(self.channels, map(float, self.value), strict=True))

    def extra_by_channel(self, name: str) -> dict[str, float]:
        return dict(zip(self.channels, map(float, self.extras[name]), strict=True))
