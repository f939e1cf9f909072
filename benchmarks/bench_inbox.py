"""A sales manager's team inbox (``rep_inbox``) on a seeded demo company, server side.

    python benchmarks/bench_inbox.py --leads 200000            # seeds a demo first
    python benchmarks/bench_inbox.py --home DIR                # a REVLOOP_HOME seeded before

Times the inbox a manager opens (their whole team's leads, ordered by pressure, the
first rows built) warm, in this process: the median of ``--repeat`` runs, with the
process's peak resident memory and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _measure(repeat: int, username: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revloop.settings")
    import django

    django.setup()
    from revloop.engine.vocabulary import Role
    from revloop.feedback.inbox import rep_inbox
    from revloop.users.models import User

    managers = [u for u in User.objects.order_by("username") if Role.SALES_MANAGER.value in u.roles]
    manager = next((u for u in managers if u.username == username), None) if username else None
    manager = manager or managers[0]
    rep_inbox(manager)  # warm: the contract and the connection
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        box = rep_inbox(manager)
        times.append(time.perf_counter() - started)
    load = os.getloadavg()[0]
    state = "loaded" if load > (os.cpu_count() or 1) / 2 else "quiet"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'inbox of':<12}{'leads':>10}{'breached':>10}{'median ms':>11}{'min':>8}{'max':>8}{'peak MiB':>10}"
    )
    print(
        f"{manager.username:<12}{box.total:>10,}{box.breached:>10,}"
        f"{statistics.median(times) * 1000:>11.0f}{min(times) * 1000:>8.0f}"
        f"{max(times) * 1000:>8.0f}{peak:>10.0f}"
    )
    print(
        f"median of {repeat} warm runs; load average {load:.1f} on {os.cpu_count()} cores ({state})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--home", default="", help="a REVLOOP_HOME seeded by an earlier run")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--manager", default="", help="whose inbox (default: the first manager)")
    opts = parser.parse_args()
    if opts.home:
        os.environ["REVLOOP_HOME"] = opts.home
        _measure(opts.repeat, opts.manager)
        return
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "REVLOOP_HOME": home}
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "revloop"), "demo", "--no-serve", "--leads", str(opts.leads)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        print(f"seeded {opts.leads:,} leads in {time.perf_counter() - started:.0f} s")
        os.environ["REVLOOP_HOME"] = home
        _measure(opts.repeat, opts.manager)


if __name__ == "__main__":
    main()
