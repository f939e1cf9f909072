"""``--as-of`` for the pipeline commands: a date (midnight UTC) or a full timestamp."""

from __future__ import annotations

import argparse
import datetime as dt


def as_of(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD) or a timestamp"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
