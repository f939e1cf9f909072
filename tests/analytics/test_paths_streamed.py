"""`revloop attribution --paths FILE`: Markov order 1 streams the file; other orders
and models read the journeys whole."""

from __future__ import annotations

import csv
from pathlib import Path

from revloop.analytics.paths import paths_attribution
from revloop.engine.attribution import AttributionOptions


def test_the_paths_command_streams_markov_order_1(tmp_path: Path) -> None:
    file = tmp_path / "paths.csv"
    with file.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["path", "total_conversions", "total_conversion_value", "total_null"])
        out.writerows([["a > b", 1, 3.0, 1], ["b > c", 0, 0, 2], ["c", 1, 1.0, 0]])
    found = paths_attribution(file, "markov", AttributionOptions())
    assert "streamed from 3 rows" in found["method"]
    order2 = paths_attribution(file, "markov", AttributionOptions(markov_order=2))
    assert "streamed" not in order2["method"]
