"""Rescore only the people whose fields or touches changed, identical to a full run."""

from __future__ import annotations

import polars as pl

from revloop.engine.scoring.result import ScoreResult, merge_results
from revloop.engine.scoring.rules import score_people


def rescore_changed(
    previous: ScoreResult, people: pl.DataFrame, touches: pl.DataFrame
) -> ScoreResult:
    """``previous`` with the people in ``people`` rescored (or added), as of ``previous.now``.

    ``people`` holds the changed people's current fields and ``touches`` *all* their
    touches, not just the new ones: decay and caps need the whole history. Each
    person's score depends only on their own rows and the exact arithmetic of
    ``decay`` makes the result equal, bit for bit, to a full rescore.
    """
    update = score_people(previous.contract, people, touches, previous.now)
    return merge_results(previous, update)
