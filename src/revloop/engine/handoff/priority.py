"""The order of a rep's inbox: breached clocks first, then value and urgency together.

For each lead:

- value, in [0, 1]: the predictive model's probability of becoming a customer when there
  is one, else the contract score squashed as ``score / (score + 100)`` (a lead at 100
  points is worth 0.5, at 300 points 0.75), so the two scales meet;
- urgency, in [0, 1]: 1 once the SLA clock has breached, ``2 ** (-hours_left / 4)`` while
  it runs (1 at the deadline, 0.5 with four hours left, 0.25 with eight), 0 with no clock;
- priority = (value + urgency) / 2.

Breached leads come first (among them, the higher priority first); then everyone else
by priority, ties broken by the sooner deadline and then by position. A lead due in an
hour with an average score outranks a great one due next week, but not a great one due
this afternoon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SCORE_HALF = 100.0
URGENCY_HALF_HOURS = 4.0


@dataclass(frozen=True)
class InboxSignals:
    """Per lead: ``probability`` and ``seconds_left`` are NaN where there is none."""

    rule_score: NDArray[np.float64]
    probability: NDArray[np.float64]
    seconds_left: NDArray[np.float64]
    breached: NDArray[np.bool_]


def priority_scores(signals: InboxSignals) -> NDArray[np.float64]:
    """(value + urgency) / 2 per lead (see the module doc)."""
    score = np.clip(np.nan_to_num(signals.rule_score, nan=0.0), 0.0, None)
    probability = np.clip(signals.probability, 0.0, 1.0)
    value = np.where(np.isfinite(probability), probability, score / (score + SCORE_HALF))
    hours = np.clip(signals.seconds_left, 0.0, None) / 3600.0
    running = np.where(np.isfinite(hours), np.exp2(-hours / URGENCY_HALF_HOURS), 0.0)
    urgency = np.where(signals.breached, 1.0, running)
    result: NDArray[np.float64] = (value + urgency) / 2.0
    return result


def inbox_order(signals: InboxSignals) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Positions in inbox order, and every lead's priority (by original position)."""
    priority = priority_scores(signals)
    deadline = np.where(np.isfinite(signals.seconds_left), signals.seconds_left, np.inf)
    n = len(priority)
    order = np.lexsort((np.arange(n), deadline, -priority, ~signals.breached))
    return order.astype(np.intp), priority
