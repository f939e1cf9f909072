"""End-of-quarter bursts: a rep's new deals in a quarter's last days, measured against
that rep's own usual daily rate on the other days.

A window is a burst when the rep created at least ``burst_ratio`` times what their
usual rate predicts there, and a Poisson count at that rate would reach the number
with probability below ``1 - burst_confidence``. The usual rate comes from the days
outside every window, so one busy quarter end does not hide the next; one deal is
added to that count so a short or empty history does not make every deal a burst.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from revloop.engine.contract.schema import PipelineChecks

DAY = dt.timedelta(days=1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(start: dt.date) -> dt.date:
    month = start.month + 3
    return dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_label(start: dt.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Burst:
    owner_id: int
    quarter: str
    window_start: dt.datetime
    window_end: dt.datetime
    created: int
    expected: float
    usual_per_day: float
    usual_deals: int
    usual_days: float
    p_value: float


def bursts(opportunities: pl.DataFrame, now: dt.datetime, checks: PipelineChecks) -> list[Burst]:
    """Every (rep, quarter end) window that is a burst, from ``created_at`` and ``owner_id``."""
    owned = opportunities.filter(pl.col("owner_id").is_not_null() & (pl.col("created_at") < now))
    if owned.is_empty():
        return []
    # scipy.stats takes seconds to import; every process that starts Django imports
    # this module, and few of them check for bursts.
    from scipy.stats import poisson

    window = dt.timedelta(days=checks.burst_days)
    found: list[Burst] = []
    for (owner,), rows in sorted(owned.group_by("owner_id"), key=lambda g: int(str(g[0][0]))):
        created: list[dt.datetime] = rows.get_column("created_at").to_list()
        first, last = min(created), now
        windows = _windows(first, last, window)
        window_days = sum((end - start) / DAY for start, end in windows)
        span_days = (last - first) / DAY
        counts = [sum(start <= c < end for c in created) for start, end in windows]
        outside = len(created) - sum(counts)
        usual_days = span_days - window_days
        if usual_days < checks.burst_days:
            continue  # too little history to know the rep's usual rate
        # One deal more than seen: a rep with none outside the windows is judged against
        # one deal in all that time, not against a rate of zero that any deal exceeds.
        rate = (outside + 1) / usual_days
        for (start, end), count in zip(windows, counts, strict=True):
            expected = rate * (end - start) / DAY
            if count == 0 or count < checks.burst_ratio * expected:
                continue
            p_value = float(poisson.sf(count - 1, expected)) if expected > 0 else 0.0
            if p_value >= 1 - checks.burst_confidence:
                continue
            found.append(
                Burst(
                    owner_id=int(str(owner)),
                    quarter=quarter_label(quarter_start((end - DAY).date())),
                    window_start=start,
                    window_end=end,
                    created=count,
                    expected=expected,
                    usual_per_day=rate,
                    usual_deals=outside,
                    usual_days=usual_days,
                    p_value=p_value,
                )
            )
    return found


def _windows(
    first: dt.datetime, last: dt.datetime, length: dt.timedelta
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The last ``length`` of every quarter up to ``last`` (the current one cut short).

    A window the history starts inside is left out: its first deal is the one that
    started the history, which makes any window look busy.
    """
    out = []
    start = quarter_start(first.date())
    while _utc(start) <= last:
        end = _utc(next_quarter(start))
        lo, hi = end - length, min(end, last)
        if first <= lo < hi:
            out.append((lo, hi))
        start = next_quarter(start)
    return out
