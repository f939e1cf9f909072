"""Speed to lead and first-touch compliance, from the first real contact attempt.

Speed to lead is the business time from the assignment (the moment the MQL was
handed to the rep, when the first-touch clock starts) to the first call, e-mail or
meeting by Sales; accepting the lead is not an attempt (see ``stops``). Compliance
counts each first-touch promise once it is decided: kept when the first attempt came
by the deadline, missed when the deadline passed first. A promise that ended
without an attempt before its deadline (the lead was rejected, moved on,
re-assigned or merged) is neither, and a promise whose deadline is still ahead is
pending.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Rate:
    """A share that states what it counts: ``numerator`` of ``denominator``."""

    numerator: int
    denominator: int
    #: The share, or None with nothing to count.
    value: float | None = field(init=False)

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(f"a rate needs 0 <= {self.numerator} <= {self.denominator}")
        share = self.numerator / self.denominator if self.denominator else None
        object.__setattr__(self, "value", share)


@dataclass(frozen=True, slots=True)
class FirstTouch:
    """One first-touch clock, as stored."""

    due_at: dt.datetime
    #: The first real contact attempt, when one stopped the clock.
    attempt_at: dt.datetime | None
    #: Business hours from the assignment to that attempt.
    attempt_hours: float | None
    #: The sweep recorded a breach (the deadline passed with no attempt).
    breached: bool
    #: Stopped without an attempt (rejected, moved on, re-assigned, merged).
    ended: bool


@dataclass(frozen=True, slots=True)
class SpeedToLead:
    #: First-touch promises counted.
    leads: int
    #: Of them, reached by a real contact attempt so far.
    reached: int
    #: Median business hours from assignment to the first attempt (reached leads).
    median_hours: float | None
    #: Kept / (kept + missed).
    in_time: Rate
    missed: int
    pending: int
    ended: int


def speed_to_lead(clocks: Iterable[FirstTouch]) -> SpeedToLead:
    """The figures of a set of first-touch clocks (see the module for the rules)."""
    leads = reached = kept = missed = pending = ended = 0
    hours: list[float] = []
    for clock in clocks:
        leads += 1
        if clock.attempt_at is not None:
            reached += 1
            if clock.attempt_hours is not None:
                hours.append(clock.attempt_hours)
        if clock.breached:
            missed += 1
        elif clock.attempt_at is not None and clock.attempt_at <= clock.due_at:
            kept += 1
        elif clock.attempt_at is not None:
            # Late but the sweep has not seen the deadline pass yet: missed all the same.
            missed += 1
        elif clock.ended:
            ended += 1
        else:
            pending += 1
    return SpeedToLead(
        leads=leads,
        reached=reached,
        median_hours=round(statistics.median(hours), 2) if hours else None,
        in_time=Rate(kept, kept + missed),
        missed=missed,
        pending=pending,
        ended=ended,
    )
