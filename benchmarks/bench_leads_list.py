"""The lead list (``/leads/``) on a seeded demo company, server side: one page of each view.

    python benchmarks/bench_leads_list.py --leads 200000        # seeds a demo first
    python benchmarks/bench_leads_list.py --home DIR            # a REVLOOP_HOME seeded before

Times ``lead_page`` (the count, one page of rows with owner and account, their SLA state and
the filters' choices) for the views people open most, warm, in this process: the median of
``--repeat`` runs each, with the process's peak resident memory and the machine's load.
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

VIEWS = (
    ("newest first", {}),
    ("search a name", {"q": "anna"}),
    ("search a company", {"q": "systems"}),
    ("MQLs by score", {"stage": "mql", "sort": "-score"}),
    ("breached SLAs", {"sla": "breached"}),
    ("grade A, webinar", {"grade": "A", "source": "webinar"}),
    ("page 100 by name", {"sort": "name", "page": "100"}),
    ("reached SAL, 100/page", {"reached": "sal", "per": "100"}),
)


def _measure(repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revloop.settings")
    import django

    django.setup()
    from revloop.feedback.leads import LeadQuery, lead_page
    from revloop.users.models import User

    viewer = User.objects.filter(groups__name="viewer").order_by("username").first()
    assert viewer is not None, "the demo has a viewer"
    print(
        f"{'view':<24}{'matches':>10}{'rows':>6}{'median ms':>11}{'min':>8}{'max':>8}{'peak MiB':>10}"
    )
    for name, params in VIEWS:
        query = LeadQuery.from_params(params)
        lead_page(viewer, query)  # warm: the connection and the page cache of the database
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            page = lead_page(viewer, query)
            times.append(time.perf_counter() - started)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{name:<24}{page.total:>10,}{len(page.rows):>6}"
            f"{statistics.median(times) * 1000:>11.0f}{min(times) * 1000:>8.0f}"
            f"{max(times) * 1000:>8.0f}{peak:>10.0f}"
        )
    load = os.getloadavg()[0]
    state = "loaded" if load > (os.cpu_count() or 1) / 2 else "quiet"
    print(
        f"median of {repeat} warm runs; load average {load:.1f} on {os.cpu_count()} cores ({state})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--home", default="", help="a REVLOOP_HOME seeded by an earlier run")
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    if opts.home:
        os.environ["REVLOOP_HOME"] = opts.home
        _measure(opts.repeat)
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
        _measure(opts.repeat)


if __name__ == "__main__":
    main()
