"""Attribution speed: every model over a synthetic 1M-journey / ~10M-touch input, and the
data-driven models on ChannelAttribution's example data (with that package alongside
when it is installed).

    .venv/bin/python benchmarks/bench_attribution.py [--journeys N] [--repeat 3]

Prints one table: model, input, journeys, touches, median seconds of ``--repeat`` runs,
and the ratio to the fastest row. Budget (issue 6): all rule-based models together
under 15 s on 1M journeys / 10M touches.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import io
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from revloop.engine.attribution import (
    MODELS,
    AttributionOptions,
    Journeys,
    Outcomes,
    Touches,
    build_journeys,
    read_channelattribution_paths,
    run_model,
)

RULE_BASED = (
    "first",
    "last",
    "linear",
    "u_shaped",
    "w_shaped",
    "full_path",
    "time_decay",
    "j_shaped",
    "inverse_j",
)
REPO = Path(__file__).resolve().parent.parent
CHANNELS = (
    *("search", "email", "social", "display", "webinar", "events", "direct", "referral"),
    *("partner", "content", "video", "podcast"),
)


@dataclass
class Row:
    model: str
    data: str
    journeys: int
    touches: int
    seconds: float


def synthetic(n_journeys: int, seed: int) -> Journeys:
    """Journeys of 1 + geometric(mean 10) touches over 12 channels of skewed popularity;
    20% convert, with log-normal value; touches on average 3 days apart (exponential);
    milestones on a random touch or unknown."""
    rng = np.random.default_rng(seed)
    lengths = np.minimum(rng.geometric(1 / 10, n_journeys), 100).astype(np.int64)
    offsets = np.zeros(n_journeys + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    n_touches = int(offsets[-1])
    popularity = 1 / np.arange(1, len(CHANNELS) + 1)
    steps = rng.choice(len(CHANNELS), size=n_touches, p=popularity / popularity.sum())
    converted = rng.random(n_journeys) < 0.2
    # gap[i] separates touch i from the next one (or from the outcome, for the last);
    # a touch's age is the sum of the gaps from it to the end of its journey.
    gaps = rng.exponential(3.0, n_touches)
    through = np.cumsum(gaps)
    path = np.repeat(np.arange(n_journeys), lengths)
    ages = through[offsets[1:] - 1][path] - through + gaps

    def milestone() -> np.ndarray[Any, np.dtype[np.int64]]:
        # -1 (unknown) or any touch of the journey, uniformly
        return (rng.integers(0, lengths + 1) - 1).astype(np.int64)

    return Journeys(
        channels=CHANNELS,
        offsets=offsets,
        steps=steps.astype(np.int32),
        conversions=converted.astype(np.float64),
        value=np.where(converted, rng.lognormal(8, 1, n_journeys), 0.0),
        nulls=(~converted).astype(np.float64),
        ages_days=ages,
        lead_step=milestone(),
        opportunity_step=milestone(),
    )


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_seconds_fresh(
    function: Callable[[Journeys], object], journeys: Journeys, repeat: int
) -> float:
    """Like ``median_seconds``, on a fresh copy each time so that per-touch indexes that
    Journeys caches (path of each touch, position in its path) are paid for every run."""
    times = []
    for _ in range(repeat):
        fresh = dataclasses.replace(journeys)
        start = time.perf_counter()
        function(fresh)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_paths_file(journeys: Journeys, file: Path) -> None:
    """The journeys in ChannelAttribution's aggregated format (one row per journey)."""
    labels = pl.Series(journeys.channels).gather(journeys.steps)
    frame = pl.DataFrame({"row": journeys.path_of_step, "step": labels})
    paths = frame.group_by("row", maintain_order=True).agg(pl.col("step").str.join(" > "))
    pl.DataFrame(
        {
            "path": paths.get_column("step"),
            "total_conversions": journeys.conversions.astype(np.int64),
            "total_conversion_value": journeys.value,
            "total_null": journeys.nulls.astype(np.int64),
        }
    ).write_csv(file, separator=";")


def channel_attribution_module() -> Any:
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
            return importlib.import_module("ChannelAttribution")
    except ImportError:
        return None


def quiet(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def bench_synthetic(journeys: Journeys, repeat: int) -> list[Row]:
    rows = []
    size = (journeys.n_paths, journeys.n_touches)
    for name in RULE_BASED:
        seconds = median_seconds_fresh(partial(run_model, name), journeys, repeat)
        rows.append(Row(name, "synthetic", *size, seconds))
    everything = median_seconds_fresh(
        lambda j: [run_model(name, j) for name in RULE_BASED], journeys, repeat
    )
    rows.append(Row("all rule-based together", "synthetic", *size, everything))
    for name in ("markov", "shapley"):
        seconds = median_seconds_fresh(partial(run_model, name), journeys, repeat)
        rows.append(Row(name, "synthetic", *size, seconds))
    return rows


def bench_builder(journeys: Journeys, repeat: int) -> list[Row]:
    """``build_journeys`` from the synthetic journeys as raw touch rows (shuffled, string
    labels, converted journeys ending on one day, 90-day lookback)."""
    rng = np.random.default_rng(7)
    shuffle = rng.permutation(journeys.n_touches)
    converted_at = np.datetime64("2026-06-30T12:00", "us")
    assert journeys.ages_days is not None
    age = (journeys.ages_days * 86_400e6).astype("timedelta64[us]")
    touches = Touches(
        journey=journeys.path_of_step[shuffle],
        at=(converted_at - age)[shuffle],
        label=np.array(journeys.channels)[journeys.steps][shuffle],
    )
    outcomes = Outcomes(
        journey=np.arange(journeys.n_paths),
        converted=journeys.conversions > 0,
        converted_at=np.full(journeys.n_paths, converted_at),
        value=journeys.value,
    )
    seconds = median_seconds(
        lambda: build_journeys(touches, outcomes, lookback=np.timedelta64(90, "D")), repeat
    )
    return [Row("build_journeys", "touch rows", journeys.n_paths, journeys.n_touches, seconds)]


def bench_paths_file(journeys: Journeys, repeat: int, with_reference: bool) -> list[Row]:
    """Read + Markov order 1 from a ChannelAttribution-format file, ours vs. theirs."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "paths.csv"
        write_paths_file(journeys, file)
        label = f"synthetic file ({file.stat().st_size / 2**20:.0f} MiB)"
        seconds = median_seconds(
            lambda: run_model("markov", read_channelattribution_paths(file)), repeat
        )
        rows.append(Row("read + markov", label, journeys.n_paths, journeys.n_touches, seconds))
        module = channel_attribution_module() if with_reference else None
        if module is not None:
            pd = importlib.import_module("pandas")

            def theirs() -> None:
                data = pd.read_csv(file, sep=";")
                quiet(
                    module.markov_model,
                    data,
                    "path",
                    "total_conversions",
                    var_value="total_conversion_value",
                    var_null="total_null",
                    verbose=False,
                    flg_pro=False,
                )

            seconds = median_seconds(theirs, repeat)
            rows.append(
                Row(
                    "read + CA markov_model",
                    label,
                    journeys.n_paths,
                    journeys.n_touches,
                    seconds,
                )
            )
    return rows


def bench_reference(datasets: Path, repeat: int, with_reference: bool) -> list[Row]:
    file = datasets / "channelattribution-paths" / "Data.csv"
    if not file.is_file():
        return []
    journeys = read_channelattribution_paths(file)
    size = (journeys.n_paths, journeys.n_touches)
    label = "Data.csv"
    rows = [
        Row(
            "read file",
            label,
            *size,
            median_seconds(lambda: read_channelattribution_paths(file), repeat),
        )
    ]
    for order in (1, 2, 3):
        options = AttributionOptions(markov_order=order, markov_repeats="channelattribution")
        seconds = median_seconds(partial(run_model, "markov", journeys, options), repeat)
        rows.append(Row(f"markov order {order}", label, *size, seconds))
    rows.append(
        Row("shapley", label, *size, median_seconds(lambda: run_model("shapley", journeys), repeat))
    )
    module = channel_attribution_module() if with_reference else None
    if module is not None:
        pd = importlib.import_module("pandas")

        data = pd.read_csv(file, sep=";")
        for order in (1, 2, 3):
            seconds = median_seconds(
                partial(
                    quiet,
                    module.markov_model,
                    data,
                    "path",
                    "total_conversions",
                    var_value="total_conversion_value",
                    var_null="total_null",
                    order=order,
                    verbose=False,
                    flg_pro=False,
                ),
                repeat,
            )
            rows.append(Row(f"CA markov_model order {order}", label, *size, seconds))
    return rows


def print_table(rows: list[Row]) -> None:
    fastest = min(row.seconds for row in rows)
    header = (
        f"{'model':<26} {'input':<26} {'journeys':>10} {'touches':>11} {'seconds':>9} {'ratio':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.model:<26} {row.data:<26} {row.journeys:>10,} {row.touches:>11,} "
            f"{row.seconds:>9.3f} {row.seconds / fastest:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20_260_101)
    parser.add_argument(
        "--datasets",
        type=Path,
        default=Path(os.environ.get("REVLOOP_DATASETS", REPO.parent / "shared" / "datasets")),
    )
    parser.add_argument(
        "--no-channelattribution",
        action="store_true",
        help="skip the ChannelAttribution package even if installed",
    )
    parser.add_argument(
        "--no-file", action="store_true", help="skip the paths-file round trip on synthetic data"
    )
    args = parser.parse_args()
    assert set(RULE_BASED) < set(MODELS)
    with_reference = not args.no_channelattribution

    start = time.perf_counter()
    journeys = synthetic(args.journeys, args.seed)
    print(
        f"generated {journeys.n_paths:,} journeys, {journeys.n_touches:,} touches "
        f"in {time.perf_counter() - start:.1f} s"
    )
    rows = bench_synthetic(journeys, args.repeat) + bench_builder(journeys, args.repeat)
    if not args.no_file:
        rows += bench_paths_file(journeys, args.repeat, with_reference)
    rows += bench_reference(args.datasets, args.repeat, with_reference)
    print_table(rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak resident memory of this process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
