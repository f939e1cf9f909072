"""Markov order 1 from a ChannelAttribution path file, each side a whole process:
`revloop attribution --paths FILE --model markov --json` against a Python process that
reads the file with pandas and runs ``ChannelAttribution.markov_model``.

    python benchmarks/bench_paths_process.py --journeys 1000000 --repeat 3

Two files from the same synthetic journeys: *raw*, one row per journey (1M rows), and
*aggregated*, one row per distinct path with its journeys' numbers summed. Both
processes start cold (interpreter, imports, reading, fitting, output) and run in
alternating rounds, so a load that comes and goes falls on both; each cell is the
median over the rounds of wall time and of the child's own peak resident memory
(GNU ``time``), and the ratio is the median of each round's ours / theirs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
THEIRS = """
import contextlib, io, sys
import pandas as pd
with contextlib.redirect_stdout(io.StringIO()):
    import ChannelAttribution as ca
    data = pd.read_csv(sys.argv[1], sep=";")
    result = ca.markov_model(data, "path", "total_conversions",
        var_value="total_conversion_value", var_null="total_null", verbose=False, flg_pro=False)
print(result.to_json())
"""


def _bench_attribution() -> object:
    spec = importlib.util.spec_from_file_location(
        "bench_attribution", HERE / "bench_attribution.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_attribution"] = module
    spec.loader.exec_module(module)
    return module


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and the command's own peak RSS (MiB).

    GNU time measures it: a child forked from this process (which holds the journeys)
    would report this process's size as its own high-water mark.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *command],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        return seconds, int(rss.read().split()[-1]) / 1024


def _aggregate(raw: Path, aggregated: Path) -> int:
    frame = pl.read_csv(raw, separator=";")
    paths = frame.group_by("path").agg(
        pl.col("total_conversions").sum(),
        pl.col("total_conversion_value").sum(),
        pl.col("total_null").sum(),
    )
    paths.sort("path").write_csv(aggregated, separator=";")
    return paths.height


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20_260_101)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    helpers = _bench_attribution()
    journeys = helpers.synthetic(opts.journeys, opts.seed)  # type: ignore[attr-defined]
    has_reference = importlib.util.find_spec("ChannelAttribution") is not None
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "raw.csv"
        helpers.write_paths_file(journeys, raw)  # type: ignore[attr-defined]
        aggregated = Path(folder) / "aggregated.csv"
        n_aggregated = _aggregate(raw, aggregated)
        for kind, file, n_rows in (
            ("aggregated", aggregated, n_aggregated),
            ("raw", raw, journeys.n_paths),
        ):
            ours: list[tuple[float, float]] = []
            theirs: list[tuple[float, float]] = []
            for _ in range(opts.repeat):
                ours.append(
                    _timed(
                        [
                            str(BIN / "revloop"),
                            "attribution",
                            "--paths",
                            str(file),
                            "--model",
                            "markov",
                            "--json",
                        ]
                    )
                )
                if has_reference:
                    theirs.append(_timed([sys.executable, "-c", THEIRS, str(file)]))
            rows.append((kind, n_rows, file.stat().st_size / 2**20, ours, theirs))
    load_after = os.getloadavg()[0]
    print(
        f"{journeys.n_paths:,} journeys, {journeys.n_touches:,} touches; "
        f"{opts.repeat} alternating rounds; load average {load_before:.1f} -> {load_after:.1f} "
        f"on {os.cpu_count()} cores ({'loaded' if max(load_before, load_after) > 0.5 * (os.cpu_count() or 1) else 'quiet'})"
    )
    header = f"{'file':<11}{'rows':>10}{'MiB':>6}{'ours s':>9}{'ours MiB':>10}{'CA s':>8}{'CA MiB':>8}{'ours/CA time':>14}{'ours/CA mem':>13}"
    print(header)
    print("-" * len(header))
    for kind, n_rows, size, ours, theirs in rows:
        our_s = statistics.median(s for s, _ in ours)
        our_m = statistics.median(m for _, m in ours)
        if not theirs:
            print(
                f"{kind:<11}{n_rows:>10,}{size:>6.0f}{our_s:>9.2f}{our_m:>10.0f}   ChannelAttribution not installed"
            )
            continue
        their_s = statistics.median(s for s, _ in theirs)
        their_m = statistics.median(m for _, m in theirs)
        time_ratio = statistics.median(o[0] / t[0] for o, t in zip(ours, theirs, strict=True))
        mem_ratio = statistics.median(o[1] / t[1] for o, t in zip(ours, theirs, strict=True))
        print(
            f"{kind:<11}{n_rows:>10,}{size:>6.0f}{our_s:>9.2f}{our_m:>10.0f}{their_s:>8.2f}"
            f"{their_m:>8.0f}{time_ratio:>14.2f}{mem_ratio:>13.2f}"
        )


if __name__ == "__main__":
    main()
