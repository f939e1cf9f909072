"""How fast the demo company is generated, and in how much memory.

    python benchmarks/bench_generator.py --leads 1000000

Generates every chunk (without inserting anything) and prints one table: leads,
touches, rows in all tables, seconds, rows per second and peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, datetime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from revloop.engine.demo import DemoConfig, generate

    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    started = time.perf_counter()
    company = generate(DemoConfig(leads=args.leads, seed=args.seed, now=now))
    rows = company.campaigns.height + company.content.height + company.accounts.height
    touches = 0
    for chunk in company.chunks():
        touches += chunk.frames["activity_touch"].height
        rows += sum(frame.height for frame in chunk.frames.values())
    seconds = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    header = ("leads", "touches", "rows total", "seconds", "rows/s", "peak RSS MiB")
    values = (
        f"{args.leads:,}",
        f"{touches:,}",
        f"{rows:,}",
        f"{seconds:.1f}",
        f"{rows / seconds:,.0f}",
        f"{peak_mib:,.0f}",
    )
    widths = [max(len(h), len(v)) for h, v in zip(header, values, strict=True)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
