"""Seeding speed of the demo company: `revloop demo --no-serve` end to end.

    python benchmarks/bench_demo.py --leads 1000000 --seed 7 [--database-url postgres://…]

Runs the real command in a fresh REVLOOP_HOME (or a fresh PostgreSQL database),
then prints one table: leads, rows written, seconds, rows/s, peak RSS of the
command, and the size of the resulting database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "revloop"), *args], env=env, text=True, capture_output=True, check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL of an empty database")
    opts = parser.parse_args()

    home = tempfile.mkdtemp(prefix="revloop-bench-")
    env = {**os.environ, "REVLOOP_HOME": home}
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
    else:
        env.pop("DATABASE_URL", None)

    started = time.perf_counter()
    demo = _run(["demo", "--no-serve", "--leads", str(opts.leads), "--seed", str(opts.seed)], env)
    seconds = time.perf_counter() - started
    peak_rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    stats = json.loads(_run(["stats", "--json"], env).stdout)
    seeded = re.search(r"\(([\d,]+) rows\)", demo.stderr)
    if seeded is None:
        sys.exit(f"bench_demo: no seeding line in the output:\n{demo.stderr}")
    rows = int(seeded.group(1).replace(",", ""))
    db_file = Path(home) / "revloop.sqlite3"
    size = f"{db_file.stat().st_size / 2**30:.2f} GiB" if db_file.exists() else "n/a"

    header = ["database", "leads", "touches", "rows", "seconds", "rows/s", "peak RSS", "db size"]
    values = [
        "postgresql" if opts.database_url else "sqlite",
        f"{opts.leads:,}",
        f"{stats['touches']:,}",
        f"{rows:,}",
        f"{seconds:.1f}",
        f"{rows / seconds:,.0f}",
        f"{peak_rss_mib:,.0f} MiB",
        size,
    ]
    widths = [max(len(h), len(v)) for h, v in zip(header, values, strict=True)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)))
    print(f"(rows: every table the seed writes; timed end to end incl. migrate; home {home})")


if __name__ == "__main__":
    main()
