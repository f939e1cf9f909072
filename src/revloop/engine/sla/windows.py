"""Where a local working day opens and closes, as UTC instants.

All clock arithmetic runs in UTC: Python subtracts two datetimes that share a
``tzinfo`` as wall-clock times, which is an hour off across a daylight-saving change.

A wall-clock time that does not exist or exists twice is resolved like this:

* **gap** (spring forward: 02:30 does not happen in New York on the second Sunday
  of March): read with the offset from before the change, so the time lands as far
  after the jump as it was into the gap (02:30 becomes 03:30 EDT), as java.time
  does. An opening or a closing in a gap moves forward with the clock; a day whose
  opening moves to or past its closing has no business time.
* **fold** (fall back: 01:30 happens twice on the first Sunday of November): an
  opening takes the first occurrence and a closing the second, so the working day
  keeps all the wall-clock time it shows (and is an hour longer in real time).

A 09:00-17:00 day never touches either case (zones change at night), so it is
exactly 8 hours on the days the clocks change.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC


def instant(day: dt.date, clock: dt.time, zone: ZoneInfo, *, closing: bool) -> dt.datetime:
    """The UTC instant at which the local ``day`` shows ``clock`` (see the module rules)."""
    naive = dt.datetime.combine(day, clock)
    before = naive.replace(tzinfo=zone).utcoffset()
    after = naive.replace(tzinfo=zone, fold=1).utcoffset()
    # A ZoneInfo gives every wall-clock time an offset.
    assert before is not None
    assert after is not None
    offset = before
    # after > before means clocks went forward (a gap): keep the offset from before.
    if after < before and closing:
        offset = after
    return (naive - offset).replace(tzinfo=UTC)


def to_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as a UTC instant; naive datetimes are refused (they mean nothing here)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a time zone")
    return moment.astimezone(UTC)
