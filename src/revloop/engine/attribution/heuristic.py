"""Rule-based (heuristic) attribution: first, last, linear, U, W, full path, J, inverse J, decay.

Every model gives each touch of a path a weight; a path's weights sum to 1 and its
conversions and conversion value are shared out in proportion. All touches of all
paths are weighted at once with array arithmetic (no loop over paths), then summed
per channel with ``np.bincount``.

Position-based models share one rule, written once in ``_role_weights``:

1. Some touches play a *role* with a fixed weight: the first touch, the last touch
   (the one right before the outcome), and, when the journeys carry them, the touch
   that created the lead and the touch that created the opportunity.
2. A touch that plays several roles gets the sum of their weights (a one-touch path's
   only touch is both first and last).
3. The ``rest`` weight is split equally among the touches that play no role.
4. A role whose touch is unknown (``NO_STEP``) is left out, and when a path has no
   "rest" touch its rest weight goes unused. Either way the path's weights are then
   rescaled to sum to 1, so the remaining roles keep their relative sizes.

Repeated touches of the same channel count separately (a channel touched twice in a
linear path gets two shares), as in ChannelAttribution's ``heuristic_models``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from revloop.engine.attribution.journeys import (
    NO_STEP,
    FloatArray,
    IntArray,
    Journeys,
    sum_per_channel,
    sum_per_path,
)
from revloop.engine.attribution.result import AttributionResult

Milestone = Literal["lead", "opportunity"]
BoolArray = NDArray[np.bool_]


def _credit(model: str, journeys: Journeys, weights: FloatArray) -> AttributionResult:
    """Share each path's outcome over its touches by ``weights`` and sum per channel."""
    rows = journeys.path_of_step
    conversions = sum_per_channel(journeys, weights * journeys.conversions[rows])
    value = sum_per_channel(journeys, weights * journeys.value[rows])
    return AttributionResult(
        model=model, channels=journeys.channels, conversions=conversions, value=value
    )


def _normalise_per_path(journeys: Journeys, raw: FloatArray) -> FloatArray:
    rows = journeys.path_of_step
    totals = sum_per_path(journeys, raw)
    # Every path keeps at least one positive weight (first or last role, or rest), so
    # totals are > 0; the guard only protects against a caller-built all-zero scheme.
    totals[totals == 0] = 1.0
    normalised: FloatArray = raw / totals[rows]
    return normalised


def _marker_hits(journeys: Journeys, marker: IntArray | None) -> BoolArray:
    if marker is None:
        return np.zeros(journeys.n_touches, dtype=bool)
    per_touch = marker[journeys.path_of_step]
    hits: BoolArray = (per_touch != NO_STEP) & (journeys.position == per_touch)
    return hits


def _role_weights(
    journeys: Journeys,
    *,
    first: float,
    last: float,
    rest: float,
    lead: float = 0.0,
    opportunity: float = 0.0,
) -> FloatArray:
    """Per-touch weights of a position-based model (the rule is in the module docstring)."""
    position = journeys.position
    lengths = journeys.lengths[journeys.path_of_step]
    raw = np.zeros(journeys.n_touches, dtype=np.float64)
    in_role = np.zeros(journeys.n_touches, dtype=bool)
    roles = [(first, position == 0), (last, position == lengths - 1)]
    if lead:
        roles.append((lead, _marker_hits(journeys, journeys.lead_step)))
    if opportunity:
        roles.append((opportunity, _marker_hits(journeys, journeys.opportunity_step)))
    for weight, hits in roles:
        # A zero-weight role must not take a touch out of the "rest" pool: linear has no roles.
        if weight:
            raw += weight * hits
            in_role |= hits
    if rest:
        rows = journeys.path_of_step
        rest_count = sum_per_path(journeys, (~in_role).astype(np.float64))
        share = np.divide(rest, rest_count, out=np.zeros_like(rest_count), where=rest_count > 0)
        raw += np.where(in_role, 0.0, share[rows])
    return _normalise_per_path(journeys, raw)


def first_touch(journeys: Journeys) -> AttributionResult:
    """First touch: 100% to the first touch of each path."""
    return _credit("first", journeys, _role_weights(journeys, first=1.0, last=0.0, rest=0.0))


def last_touch(journeys: Journeys) -> AttributionResult:
    """Last touch: 100% to the last touch before the outcome."""
    return _credit("last", journeys, _role_weights(journeys, first=0.0, last=1.0, rest=0.0))


def linear(journeys: Journeys) -> AttributionResult:
    """Linear: every touch gets 1/n of an n-touch path (repeats count separately)."""
    return _credit("linear", journeys, _role_weights(journeys, first=0.0, last=0.0, rest=1.0))


def u_shaped(journeys: Journeys) -> AttributionResult:
    """U-shaped (position-based): 40% first, 40% last, 20% split over the touches between.

    One touch: 100%. Two touches: 50% / 50% (no middle touch takes the 20%).
    """
    return _credit("u_shaped", journeys, _role_weights(journeys, first=0.4, last=0.4, rest=0.2))


def w_shaped(journeys: Journeys, *, milestone: Milestone = "opportunity") -> AttributionResult:
    """W-shaped: 30% first, 30% milestone touch, 30% last, 10% split over all other touches.

    The milestone is the touch that created the opportunity (``opportunity_step``, the
    default) or, with ``milestone="lead"``, the one that created the lead
    (``lead_step``); use "lead" when the outcome itself is the opportunity.

    Edge cases (they follow from the shared rule in the module docstring):

    - milestone unknown for a path: the role is dropped and the path gets
      30/10/30 rescaled, i.e. first 3/7, last 3/7, 1/7 split over the middle
      (one touch: 100%; two touches: 50/50);
    - milestone on the first or last touch: that touch gets 60%
      (e.g. 4 touches, milestone = first: 60 / 5 / 5 / 30);
    - three touches with the milestone in the middle: 1/3 each (no rest touch);
    - two touches, milestone = last: 1/3 first, 2/3 last; one touch: 100%.
    """
    on_lead = milestone == "lead"
    weights = _role_weights(
        journeys,
        first=0.3,
        last=0.3,
        rest=0.1,
        lead=0.3 if on_lead else 0.0,
        opportunity=0.0 if on_lead else 0.3,
    )
    return _credit("w_shaped", journeys, weights)


def full_path(journeys: Journeys) -> AttributionResult:
    """Full path (Z-shaped): 22.5% each to first, lead-creation, opportunity-creation and
    last touch; 10% split over all other touches.

    Unknown milestones are dropped and the remaining weights rescaled (both unknown,
    four or more touches: first and last 22.5/55 = 40.9% each, 10/55 = 18.2% over the
    middle); a touch playing several roles adds them up (one touch: 100%; two touches,
    lead on the first and opportunity on the last: 50/50).
    """
    weights = _role_weights(
        journeys, first=0.225, last=0.225, rest=0.1, lead=0.225, opportunity=0.225
    )
    return _credit("full_path", journeys, weights)


def j_shaped(journeys: Journeys) -> AttributionResult:
    """J-shaped: 20% first, 60% last, 20% split over the touches between.

    One touch: 100%. Two touches: 25% first, 75% last (20:60 rescaled).
    """
    return _credit("j_shaped", journeys, _role_weights(journeys, first=0.2, last=0.6, rest=0.2))


def inverse_j(journeys: Journeys) -> AttributionResult:
    """Inverse J: 60% first, 20% last, 20% split over the touches between.

    One touch: 100%. Two touches: 75% first, 25% last.
    """
    return _credit("inverse_j", journeys, _role_weights(journeys, first=0.6, last=0.2, rest=0.2))


def time_decay(journeys: Journeys, *, half_life_days: float = 7.0) -> AttributionResult:
    """Time decay: a touch ``a`` days before the outcome weighs ``2 ** (-a / half_life_days)``.

    Weights are rescaled to sum to 1 per path, so a touch one half-life older than
    another gets half its credit. One touch: 100%; touches at the same time share
    equally. Needs ``journeys.ages_days`` (built from timestamped touches); the default
    half-life of 7 days is HubSpot's.
    """
    if journeys.ages_days is None:
        raise ValueError("time_decay needs touch times: build the journeys with ages_days")
    if not half_life_days > 0:
        raise ValueError(f"half_life_days must be > 0, got {half_life_days}")
    # Shift by each path's youngest touch so the largest weight is 1 and very old
    # touches cannot underflow every weight of a path to zero.
    rows = journeys.path_of_step
    youngest = np.minimum.reduceat(journeys.ages_days, journeys.offsets[:-1])
    raw = np.exp2(-(journeys.ages_days - youngest[rows]) / half_life_days)
    return _credit("time_decay", journeys, _normalise_per_path(journeys, raw))
