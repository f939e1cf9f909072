"""The fuzzers, run longer than CI runs them: schemathesis over every operation of the
OpenAPI document (never a 5xx, every status documented) and hypothesis over the CSV
reader, the lead contract parser and the offer-catalog parser (their result or their own
input error, never another exception).

    python benchmarks/bench_fuzz.py --examples 100 [--database-url postgres://…]

``--examples`` is schemathesis's examples per operation (CI runs 4); the parser fuzzers
scale with it (60 examples each per 4). Prints one row per fuzz test with its time and
outcome, and the peak memory of the pytest process; exits 1 when any of them failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import benchkit

ROOT = Path(__file__).resolve().parents[1]
_DURATION = re.compile(r"^\s*([\d.]+)s call\s+(.+?)\s*$")
_OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR) (.+?)(?: - .*)?$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--database-url", default="", help="a PostgreSQL to run them on")
    opts = parser.parse_args()
    env = {**os.environ, "REVLOOP_FUZZ_EXAMPLES": str(opts.examples)}
    env.pop("DATABASE_URL", None)
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "fuzz",
        "-p",
        "no:cacheprovider",
        "-rA",
        "--durations=0",
        "--durations-min=0",
        "-q",
        "tests",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    with benchkit.TreeMemory(process.pid) as memory:
        out, _ = process.communicate()
    seconds = time.perf_counter() - started
    peak = memory.peak_process_mib
    durations: dict[str, float] = {}
    outcomes: dict[str, str] = {}
    for line in out.splitlines():
        if found := _DURATION.match(line):
            durations[found.group(2)] = float(found.group(1))
        if found := _OUTCOME.match(line):
            outcomes[found.group(2)] = found.group(1)
    rows = [
        (name.removeprefix("tests/"), f"{durations.get(name, 0.0):.1f}", result)
        for name, result in sorted(outcomes.items())
    ]
    print(
        f"Fuzzers at {opts.examples} examples per API operation "
        f"({'PostgreSQL' if opts.database_url else 'SQLite'})"
    )
    benchkit.print_table(["test", "seconds", "outcome"], rows)
    print(f"all: {seconds:.1f} s, peak memory {peak:.0f} MiB; {benchkit.machine_state()}")
    if process.returncode != 0:
        print(out[-4000:])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
