"""The lead list (``/leads/``) on a seeded demo company, server side: one page of each view.

    python benchmarks/bench_leads_list.py --leads 200000        # seeds a demo first
    python benchmarks/bench_leads_list.py --home DIR            # a REVLOOP_HOME seeded before

Times ``lead_page`` (the count, one page of rows with owner and account, their SLA state and
the filters' choices) for the views people open most, warm, in this process: the median of
``--repeat`` runs each, with the process's peak resident memory and the machine's load.
"""

from __future__ import annotations

import argparse

import benchkit

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
    from revloop.feedback.leads import LeadQuery, lead_page
    from revloop.users.models import User

    viewer = User.objects.filter(groups__name="viewer").order_by("username").first()
    assert viewer is not None, "the demo has a viewer"
    rows = []
    for name, params in VIEWS:
        query = LeadQuery.from_params(params)
        page = lead_page(viewer, query)
        # Warm first: the connection and the page cache of the database.
        timing = benchkit.time_runs(lambda q=query: lead_page(viewer, q), repeat)
        rows.append((name, page.total, len(page.rows), *timing.ms(), benchkit.peak_mib()))
    benchkit.print_table(("view", "matches", "rows", "median ms", "min", "max", "peak MiB"), rows)
    print(f"median of {repeat} warm runs; {benchkit.machine_state()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    benchkit.add_demo_arguments(parser, leads=200_000, repeat=5)
    opts = parser.parse_args()
    with benchkit.demo_home(opts.leads, opts.home) as home:
        benchkit.setup_django(home)
        _measure(opts.repeat)


if __name__ == "__main__":
    main()
