"""Run every benchmark in this folder at one size and print each one's table.

    python benchmarks/run.py                  # SIZE=quick: CI-sized, a few minutes
    python benchmarks/run.py --size full      # the sizes of benchmarks/README.md's table
    python benchmarks/run.py --only paths,attribution --database-url postgres://…
    make bench SIZE=full

Each benchmark runs as its own process with the arguments of the chosen size below;
its table is printed as it comes, then a summary: which ran, how long each took and
whether it failed. The machine's load average is printed before and after, since the
figures depend on it (the tables say "loaded" when it exceeds half the cores).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import benchkit

HERE = Path(__file__).resolve().parent

#: name → (script, quick arguments, full arguments). Full sizes are those of README.md.
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "generator": ("bench_generator.py", ["--leads", "5000"], ["--leads", "1000000"]),
    "demo": ("bench_demo.py", ["--leads", "2000"], ["--leads", "1000000"]),
    "attribution": (
        "bench_attribution.py",
        ["--journeys", "20000", "--repeat", "1"],
        ["--journeys", "1000000", "--repeat", "3"],
    ),
    "paths": (
        "bench_paths_process.py",
        ["--journeys", "20000", "--repeat", "1"],
        ["--journeys", "1000000", "--repeat", "3"],
    ),
    "analytics": ("bench_analytics.py", ["--leads", "2000"], ["--leads", "1000000"]),
    "scoring": (
        "bench_scoring.py",
        ["--people", "20000", "--touches", "200000", "--repeat", "1"],
        ["--people", "1000000", "--touches", "10000000", "--repeat", "3"],
    ),
    "rescore": ("bench_rescore.py", ["--leads", "2000"], ["--leads", "1000000"]),
    "dedupe": (
        "bench_dedupe.py",
        ["--people", "20000", "--touches", "20000"],
        ["--people", "1000000", "--touches", "1000000"],
    ),
    "import": ("bench_import.py", ["--rows", "20000"], ["--rows", "1000000"]),
    "events_api": ("bench_events_api.py", ["--batches", "4"], ["--batches", "200"]),
    "segment": ("bench_segment.py", ["--batches", "2", "--runs", "1"], ["--batches", "20"]),
    "handoff": ("bench_handoff.py", ["--leads", "2000"], ["--leads", "20000"]),
    "inbox": ("bench_inbox.py", ["--leads", "2000", "--repeat", "3"], ["--leads", "200000"]),
    "leads_list": (
        "bench_leads_list.py",
        ["--leads", "2000", "--repeat", "2"],
        ["--leads", "200000"],
    ),
    "marketing_page": (
        "bench_marketing_page.py",
        ["--leads", "2000", "--repeat", "2"],
        ["--leads", "20000", "--repeat", "5"],
    ),
    "pages": (
        "bench_pages.py",
        ["--leads", "2000", "--repeat", "3"],
        ["--leads", "1000000", "--repeat", "20"],
    ),
    "spark": (
        "bench_spark.py",
        ["--leads", "5000", "--repeat", "1"],
        ["--leads", "1000000", "--repeat", "3"],
    ),
    "routing": (
        "bench_routing.py",
        ["--decisions", "500", "--backlog", "2000"],
        ["--decisions", "5000", "--backlog", "100000"],
    ),
    "route_backlog": ("bench_route_backlog.py", ["--leads", "2000"], ["--leads", "100000"]),
    "load": (
        "bench_load.py",
        [
            "--users",
            "10",
            "--ingest-users",
            "2",
            "--seconds",
            "10",
            "--runs",
            "1",
            "--leads",
            "2000",
        ],
        ["--users", "50", "--seconds", "60", "--runs", "3", "--leads", "20000"],
    ),
    "worker": (
        "bench_worker.py",
        ["--seconds", "12", "--clocks", "30", "--deliveries", "50", "--leads", "2000"],
        ["--seconds", "40", "--clocks", "300", "--deliveries", "500", "--leads", "20000"],
    ),
    "predictive": (
        "bench_predictive.py",
        ["--closed", "5000", "--repeat", "1", "--no-real"],
        ["--closed", "100000", "--repeat", "3"],
    ),
    "pipeline_checks": ("bench_pipeline_checks.py", ["--leads", "5000"], ["--leads", "50000"]),
    "copy_checker": ("bench_copy_checker.py", ["--repeat", "1"], ["--repeat", "5"]),
    "fuzz": ("bench_fuzz.py", ["--examples", "4"], ["--examples", "100"]),
}
#: Benchmarks that take a PostgreSQL database with ``--database-url``.
_DATABASE = {
    "demo",
    "rescore",
    "import",
    "events_api",
    "segment",
    "handoff",
    "route_backlog",
    "worker",
    "load",
    "fuzz",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=("quick", "full"), default="quick")
    parser.add_argument("--only", default="", help="comma-separated names (default: all)")
    parser.add_argument(
        "--database-url", default="", help="run the database benchmarks on this PostgreSQL"
    )
    parser.add_argument("--list", action="store_true", help="print the names and stop")
    opts = parser.parse_args()
    if opts.list:
        for name, (script, quick, full) in BENCHMARKS.items():
            print(f"{name:<16} {script:<28} quick: {' '.join(quick):<40} full: {' '.join(full)}")
        return
    chosen = [n.strip() for n in opts.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; see --list")
    print(f"size {opts.size}; {benchkit.machine_state()}", flush=True)
    summary = []
    for name in chosen:
        script, quick, full = BENCHMARKS[name]
        command = [sys.executable, str(HERE / script), *(quick if opts.size == "quick" else full)]
        if opts.database_url and name in _DATABASE:
            command += ["--database-url", opts.database_url]
        print(f"\n== {name}: {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        code = subprocess.call(command)
        summary.append((name, time.perf_counter() - started, code))
    print(f"\n{benchkit.machine_state()}")
    print(f"{'benchmark':<16}{'seconds':>10}  result")
    for name, seconds, code in summary:
        print(f"{name:<16}{seconds:>10.1f}  {'ok' if code == 0 else f'failed ({code})'}")
    if any(code for *_, code in summary):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
