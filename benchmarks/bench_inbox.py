"""A sales manager's team inbox (``rep_inbox``) on a seeded demo company, server side.

    python benchmarks/bench_inbox.py --leads 200000            # seeds a demo first
    python benchmarks/bench_inbox.py --home DIR                # a REVLOOP_HOME seeded before

Times the inbox a manager opens (their whole team's leads, ordered by pressure, the
first rows built) warm, in this process: the median of ``--repeat`` runs, with the
process's peak resident memory and the machine's load average.
"""

from __future__ import annotations

import argparse

import benchkit


def _measure(repeat: int, username: str) -> None:
    from revloop.engine.vocabulary import Role
    from revloop.feedback.inbox import rep_inbox
    from revloop.users.models import User

    managers = [u for u in User.objects.order_by("username") if Role.SALES_MANAGER.value in u.roles]
    manager = next((u for u in managers if u.username == username), None) if username else None
    manager = manager or managers[0]
    box = rep_inbox(manager)
    # Warm first: the contract and the connection.
    timing = benchkit.time_runs(lambda: rep_inbox(manager), repeat)
    benchkit.print_table(
        ("inbox of", "leads", "breached", "median ms", "min", "max", "peak MiB"),
        [(manager.username, box.total, box.breached, *timing.ms(), benchkit.peak_mib())],
    )
    print(f"median of {repeat} warm runs; {benchkit.machine_state()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    benchkit.add_demo_arguments(parser, leads=200_000, repeat=7)
    parser.add_argument("--manager", default="", help="whose inbox (default: the first manager)")
    opts = parser.parse_args()
    with benchkit.demo_home(opts.leads, opts.home) as home:
        benchkit.setup_django(home)
        _measure(opts.repeat, opts.manager)


if __name__ == "__main__":
    main()
