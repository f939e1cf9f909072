"""Multi-touch attribution: rule-based models, Markov chains and Shapley values.

Framework-free: journeys come in as numpy arrays (``Journeys``), built from touch rows
(``build_journeys``) or read from ChannelAttribution's path files
(``read_channelattribution_paths``); every model returns an ``AttributionResult``.

``MODELS`` maps each model's name to a runner taking the journeys and one
``AttributionOptions``, so callers (CLI, pages, API) pick a model by name::

    result = run_model("markov", journeys, AttributionOptions(markov_order=2))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from revloop.engine.attribution.counts import (
    TransitionCounts,
    chain_from_counts,
    count_transitions,
    markov_from_counts,
)
from revloop.engine.attribution.heuristic import (
    Milestone,
    first_touch,
    full_path,
    inverse_j,
    j_shaped,
    last_touch,
    linear,
    time_decay,
    u_shaped,
    w_shaped,
)
from revloop.engine.attribution.journeys import NO_STEP, JourneyError, Journeys
from revloop.engine.attribution.markov import MarkovChain, RepeatPolicy, fit_chain, markov
from revloop.engine.attribution.pathfile import (
    PathFileError,
    PathFileLayout,
    RowError,
    path_file_layout,
    read_channelattribution_paths,
)
from revloop.engine.attribution.result import AttributionResult, TransitionMatrix
from revloop.engine.attribution.shapley import (
    DEFAULT_MAX_EXACT_CHANNELS,
    shapley,
    shapley_from_worth,
    worth_from_coalition_weights,
)
from revloop.engine.attribution.touches import Outcomes, Touches, as_datetime64, build_journeys


@dataclass(frozen=True)
class AttributionOptions:
    """Every model's tuning knobs in one place; each model reads only its own."""

    half_life_days: float = 7.0
    w_milestone: Milestone = "opportunity"
    markov_order: int = 1
    markov_repeats: RepeatPolicy = "collapse"
    shapley_max_exact_channels: int = DEFAULT_MAX_EXACT_CHANNELS


ModelRunner = Callable[[Journeys, AttributionOptions], AttributionResult]

MODELS: dict[str, ModelRunner] = {
    "first": lambda journeys, _: first_touch(journeys),
    "last": lambda journeys, _: last_touch(journeys),
    "linear": lambda journeys, _: linear(journeys),
    "u_shaped": lambda journeys, _: u_shaped(journeys),
    "w_shaped": lambda journeys, o: w_shaped(journeys, milestone=o.w_milestone),
    "full_path": lambda journeys, _: full_path(journeys),
    "time_decay": lambda journeys, o: time_decay(journeys, half_life_days=o.half_life_days),
    "j_shaped": lambda journeys, _: j_shaped(journeys),
    "inverse_j": lambda journeys, _: inverse_j(journeys),
    "markov": lambda journeys, o: markov(journeys, order=o.markov_order, repeats=o.markov_repeats),
    "shapley": lambda journeys, o: shapley(
        journeys, max_exact_channels=o.shapley_max_exact_channels
    ),
}


class UnknownModelError(ValueError):
    """A model name that is not in ``MODELS``; the message lists the valid ones."""


def run_model(
    name: str, journeys: Journeys, options: AttributionOptions | None = None
) -> AttributionResult:
    """Run the model called ``name`` (a key of ``MODELS``)."""
    try:
        runner = MODELS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown attribution model {name!r}; choose from {', '.join(MODELS)}"
        ) from None
    return runner(journeys, options or AttributionOptions())


__all__ = [
    "DEFAULT_MAX_EXACT_CHANNELS",
    "MODELS",
    "NO_STEP",
    "AttributionOptions",
    "AttributionResult",
    "JourneyError",
    "Journeys",
    "MarkovChain",
    "Milestone",
    "ModelRunner",
    "Outcomes",
    "PathFileError",
    "PathFileLayout",
    "RepeatPolicy",
    "RowError",
    "Touches",
    "TransitionCounts",
    "TransitionMatrix",
    "UnknownModelError",
    "as_datetime64",
    "build_journeys",
    "chain_from_counts",
    "count_transitions",
    "first_touch",
    "fit_chain",
    "full_path",
    "inverse_j",
    "j_shaped",
    "last_touch",
    "linear",
    "markov",
    "markov_from_counts",
    "path_file_layout",
    "read_channelattribution_paths",
    "run_model",
    "shapley",
    "shapley_from_worth",
    "time_decay",
    "u_shaped",
    "w_shaped",
    "worth_from_coalition_weights",
]
