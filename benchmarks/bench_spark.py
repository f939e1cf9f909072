"""Funnel and Markov attribution over Parquet on Spark ``local[2]`` beside DuckDB on the
same files, time and peak memory.

    python benchmarks/bench_spark.py --leads 1000000 --repeat 3   # about 10M touches
    python benchmarks/bench_spark.py --leads 5000 --repeat 1      # the quick size

The demo generator's company (``--leads``; a million leads make about 10.2M touches) is
written once as Parquet folders named like revloop's tables (``<dir>/activity_touch/``
…, the layout ``revloop export parquet`` writes and ``REVLOOP_SPARK_PARQUET`` reads)
into ``--cache`` and reused by later runs. Each engine then runs in a process of its
own, reading those files in place: DuckDB through ``read_parquet`` views, Spark through
temporary views on a ``local[2]`` session (driver memory ``--spark-memory``, shuffle
partitions ``--spark-partitions``). Both run
the same analyses of ``revloop.engine.analytics``: the funnel, and Markov attribution
of MQLs to channels over 90 days. Prints one table: engine, analysis, the median of
``--repeat`` warm runs (the first, cold, run beside it), and the peak resident memory of
the engine's process and its children (Spark's JVM included), with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import benchkit

ANALYSES = ("funnel", "markov order 1")
#: The generator's "now", as the analytics tests use it.
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


def write_parquet(folder: Path, leads: int, seed: int) -> int:
    """The generated company as Parquet folders, once; answers the number of touches."""
    done = folder / "_written.json"
    if done.exists():
        return int(json.loads(done.read_text())["touches"])
    import polars as pl

    from revloop.engine.analytics import COLUMNS
    from revloop.engine.demo import DemoConfig, generate

    started = time.perf_counter()
    sources = _sources()
    wanted = {sources[name].table: name for name in COLUMNS}
    company = generate(DemoConfig(leads=leads, seed=seed, now=NOW))
    whole = {
        "activity_campaign": company.campaigns,
        "activity_contentasset": company.content,
        "people_account": company.accounts,
        "users_user": pl.DataFrame(
            {"id": [u.key for u in company.users], "username": [u.username for u in company.users]},
            schema={"id": pl.Int64, "username": pl.String},
        ),
    }
    for table, frame in whole.items():
        _write(folder / table, 0, frame, sources[wanted[table]])
    touches = 0
    for number, chunk in enumerate(company.chunks()):
        for table, frame in chunk.frames.items():
            if table in wanted:
                _write(folder / table, number, frame, sources[wanted[table]])
        touches += chunk.frames["activity_touch"].height
    done.write_text(json.dumps({"leads": leads, "touches": touches}))
    print(f"wrote {folder} in {time.perf_counter() - started:.0f} s", flush=True)
    return touches


def _write(folder: Path, number: int, frame: Any, source: Any) -> None:
    from revloop.engine.analytics import COLUMNS

    name = next(n for n in COLUMNS if _sources()[n].table == source.table)
    keep = [source.column(c) for c in COLUMNS[name]]
    folder.mkdir(parents=True, exist_ok=True)
    frame.select(keep).write_parquet(folder / f"part-{number:05d}.parquet")


def _sources() -> Any:
    """Where the Django apps keep each table (read off their models)."""
    os.environ.setdefault("REVLOOP_HOME", tempfile.mkdtemp(prefix="revloop-bench-spark-"))
    benchkit.setup_django(os.environ["REVLOOP_HOME"])
    from revloop.analytics.tables import stored_tables

    return stored_tables()


def _tables(engine: str, folder: Path, spark_memory: str, partitions: int) -> Any:
    from revloop.engine.analytics import connect, load_tables

    sources = _sources()
    if engine == "duckdb":
        backend = connect("duckdb://")
        for source in sources.values():
            files = str(folder / source.table / "*.parquet").replace("'", "''")
            backend.raw_sql(
                f"CREATE VIEW \"{source.table}\" AS SELECT * FROM read_parquet('{files}')"
            )
        return load_tables(backend, sources)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", spark_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        # Spark's default of 200 shuffle partitions is for clusters; on two local cores
        # each one's fixed cost dominates.
        .config("spark.sql.shuffle.partitions", str(partitions))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    for source in sources.values():
        session.read.parquet(str(folder / source.table)).createOrReplaceTempView(source.table)
    return load_tables(connect(session), sources)


def run_engine(engine: str, folder: Path, repeat: int, spark_memory: str, partitions: int) -> None:
    """One engine's rows, printed as JSON for the parent (this process is the child)."""
    from revloop.engine.analytics import JourneyQuery, funnel, markov

    query = JourneyQuery(outcome="mql", level="channel", lookback_days=90.0)
    runs: dict[str, Callable[[Any], object]] = {
        "funnel": funnel,
        "markov order 1": lambda t: markov(t, query),
    }
    with benchkit.TreeMemory(os.getpid()) as memory:
        started = time.perf_counter()
        tables = _tables(engine, folder, spark_memory, partitions)
        opened = time.perf_counter() - started
        rows = []
        for name in ANALYSES:
            started = time.perf_counter()
            runs[name](tables)
            cold = time.perf_counter() - started
            timing = benchkit.time_runs(lambda name=name: runs[name](tables), repeat, warm=False)
            rows.append({"analysis": name, "cold": cold, "median": timing.median})
    print(
        json.dumps(
            {"engine": engine, "opened": opened, "rows": rows, "peak": memory.peak_total_mib}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark-memory", default="2g", help="Spark driver memory")
    parser.add_argument(
        "--spark-partitions", type=int, default=8, help="spark.sql.shuffle.partitions"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("REVLOOP_BENCH_CACHE", ".revloop/bench")),
        help="folder that keeps the Parquet files between runs",
    )
    parser.add_argument("--engine", choices=("duckdb", "spark"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    folder = opts.cache / f"parquet-{opts.leads}-{opts.seed}"
    if opts.engine:
        run_engine(opts.engine, folder, opts.repeat, opts.spark_memory, opts.spark_partitions)
        return
    touches = write_parquet(folder, opts.leads, opts.seed)
    print(f"{folder}: {opts.leads:,} leads, {touches:,} touches", flush=True)
    table = []
    for engine in ("duckdb", "spark"):
        found = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--engine", engine],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        result = json.loads(found.splitlines()[-1])
        label = "Spark local[2]" if engine == "spark" else "DuckDB"
        table.extend(
            (label, row["analysis"], row["cold"], row["median"], result["opened"], result["peak"])
            for row in result["rows"]
        )
        print(f"  {label}: done", flush=True)
    print()
    benchkit.print_table(
        ("engine", "analysis", "cold s", f"median of {opts.repeat} s", "open s", "peak MiB"),
        [(*r[:2], f"{r[2]:.2f}", f"{r[3]:.2f}", f"{r[4]:.2f}", r[5]) for r in table],
    )
    print(
        f"{touches:,} touches in Parquet, read in place; peak MiB: the engine's process and "
        f"its children (Spark's JVM); {benchkit.machine_state()}"
    )


if __name__ == "__main__":
    main()
