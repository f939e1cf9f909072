"""Rescoring from the database and back: `revloop score --all` end to end, on the demo company.

    python benchmarks/bench_rescore.py --leads 1000000 [--database-url postgres://…]
    python benchmarks/bench_rescore.py --home /tmp/revloop-bench-xyz   # reuse a seeded home

Seeds the demo company in a fresh REVLOOP_HOME (or an empty PostgreSQL database) with
`revloop demo --no-serve`, then times, each as a separate `revloop` process:

- `revloop score --all` twice: the first run also makes the automatic moves the
  generated history left open (junk leads disqualified, quiet MQLs recycled), the
  second is the steady state;
- `revloop score` after 1% of the people got a new touch (incremental);
- `rescore_people` of 1,000 people, what the event path would call after a batch.

Prints one table: wall time of each command (Django start-up included), the parts
of the full run (reading people, reading touches, scoring, writing scores, moves)
and the peak RSS of the largest command.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent

_TOUCH_SOME = """
import json, time
from django.db import connection
from django.utils import timezone
from revloop.activity.models import Touch
from revloop.people.models import Person
ids = list(Person.objects.order_by("?").values_list("id", flat=True)[: max(Person.objects.count() // 100, 1)])
now = timezone.now()
Touch.objects.bulk_create(
    [Touch(event_id=f"bench-{now.timestamp()}-{i}", person_id=i, occurred_at=now, type="page_view",
           url="https://www.brightline.io/pricing") for i in ids],
    batch_size=5000,
)
print(json.dumps({"touched": len(ids)}))
"""

_EVENT_PATH = """
import json, time
from revloop.people.models import Person
from revloop.scoring.actions import do_rescore_people
ids = list(Person.objects.order_by("?").values_list("id", flat=True)[:1010])
do_rescore_people(ids[1000:])  # a web worker has parsed the contract and warmed up already
ids = ids[:1000]
start = time.perf_counter()
summary = do_rescore_people(ids)
print(json.dumps({"people": summary.people, "seconds": time.perf_counter() - start}))
"""


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "revloop"), *args], env=env, text=True, capture_output=True, check=False
    )
    if done.returncode:
        sys.exit(f"bench_rescore: revloop {args[0]} failed:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def _score(env: dict[str, str], *flags: str) -> tuple[float, dict[str, Any]]:
    wall, out = _run(["score", *flags, "--json"], env)
    return wall, json.loads(out)


def _shell(code: str, env: dict[str, str]) -> dict[str, Any]:
    _, out = _run(["shell", "--no-imports", "-c", code], env)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL of an empty database")
    parser.add_argument("--home", default="", help="a REVLOOP_HOME seeded by an earlier run")
    opts = parser.parse_args()

    home = opts.home or tempfile.mkdtemp(prefix="revloop-bench-")
    env = {**os.environ, "REVLOOP_HOME": home}
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
    else:
        env.pop("DATABASE_URL", None)

    seed_seconds = None
    if not opts.home:
        args = ["demo", "--no-serve", "--leads", str(opts.leads), "--seed", str(opts.seed)]
        seed_seconds, _ = _run(args, env)
    _, stats_out = _run(["stats", "--json"], env)
    stats = json.loads(stats_out)

    first_wall, first = _score(env, "--all")
    steady_wall, steady = _score(env, "--all")
    touched = _shell(_TOUCH_SOME, env)
    incremental_wall, incremental = _score(env)
    events = _shell(_EVENT_PATH, env)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    rows: list[tuple[str, str]] = [
        ("database", "postgresql" if opts.database_url else "sqlite"),
        ("people / touches", f"{stats['people']:,} / {stats['touches']:,}"),
    ]
    if seed_seconds is not None:
        rows.append(("seed the demo (incl. its score-only rescore)", f"{seed_seconds:.1f} s"))
    rows += [
        (
            "score --all, first run (command wall time)",
            f"{first_wall:.1f} s, {sum(first['moved'].values()):,} automatic moves",
        ),
        ("score --all, steady state (command wall time)", f"{steady_wall:.1f} s"),
        ("  of which inside do_rescore()", f"{steady['seconds']:.1f} s"),
    ]
    rows += [(f"    {part}", f"{seconds:.2f} s") for part, seconds in steady["timings"].items()]
    rows += [
        (
            f"score, incremental ({touched['touched']:,} people touched)",
            (
                f"{incremental_wall:.1f} s wall, {incremental['people']:,} people,"
                f" {incremental['seconds']:.2f} s inside"
            ),
        ),
        (
            f"rescore_people of {events['people']:,} (the event path)",
            f"{events['seconds'] * 1000:.0f} ms",
        ),
        ("peak RSS of the largest command", f"{peak_rss_mib:,.0f} MiB"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"(home {home})")


if __name__ == "__main__":
    main()
