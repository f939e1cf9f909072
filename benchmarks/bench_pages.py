"""Every page of the dashboard on a seeded demo company, server time, warm.

    python benchmarks/bench_pages.py --leads 20000             # seeds a demo first
    python benchmarks/bench_pages.py --home /work/data/analytics --repeat 20
    python benchmarks/bench_pages.py --home DIR --profile benchmarks/profiles  # + flame graphs

Renders each page in this process through Django's test client as the user who opens
it (home and Marketing as a marketer, the team inbox, leads and pipeline as a sales
manager, a rep's own inbox, a lead's person page and handoff brief as its owner, the
contract as an admin): one untimed request, then ``--repeat`` timed ones; prints the
median and the 95th percentile of each, the process's peak resident memory (what one
web worker holds), and the machine's load.

It also times what the analytics cost at this size: the worker's refresh of the DuckDB
copy (``rebuild_copy``) and ``refresh_reports()``, each in a child process as the worker
runs them (their peak memory is the child's, not the web process's), and the Marketing
page with no report computed yet, which reads that copy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import benchkit


def _p95(runs: list[float]) -> float:
    ordered = sorted(runs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _measure(repeat: int, profile: str | None = None, reports: bool = True) -> None:
    from django.conf import settings
    from django.test.utils import override_settings

    # Rendered in-process like the test client does: no collected static manifest,
    # plain http, the test client's host name.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": plain},
        SECURE_SSL_REDIRECT=False,
        ALLOWED_HOSTS=["testserver"],
    ):
        _pages(repeat, profile, reports)


def _user(role: str) -> object:
    from revloop.users.models import User

    found = User.objects.filter(groups__name=role, is_active=True).order_by("id").first()
    assert found is not None, f"the demo has a {role}"
    return found


def _pages(repeat: int, profile: str | None = None, reports: bool = True) -> None:
    from django.test import Client

    from revloop.analytics.models import ReportCache
    from revloop.analytics.store import copy_wanted
    from revloop.people.models import Person

    clients: dict[str, Client] = {}

    def client(role: str) -> Client:
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(_user(role))
        return clients[role]

    rep = _user("sales_rep")
    lead = Person.objects.filter(owner=rep).order_by("-id").first()
    assert lead is not None, "the demo's first rep owns a lead"
    pages: list[tuple[str, str, str]] = [
        ("home", "marketing", "/"),
        ("leads", "sales_manager", "/leads/"),
        ("inbox (team)", "sales_manager", "/inbox/"),
        ("inbox (rep)", "sales_rep", "/inbox/"),
        ("brief", "sales_rep", f"/people/{lead.pk}/brief/"),
        ("person", "sales_rep", f"/people/{lead.pk}/"),
        ("marketing", "marketing", "/marketing/"),
        ("contract", "admin", "/contract/"),
        ("pipeline", "sales_manager", "/pipeline/"),
    ]
    once: list[tuple[str, float, str]] = []

    def timed(what: str, run: Callable[[], object]) -> None:
        started = time.perf_counter()
        run()
        once.append((what, time.perf_counter() - started, "(below)"))
        print(f"  {what}: {once[-1][1]:.2f} s", flush=True)

    def get(role: str, url: str) -> None:
        response = client(role).get(url)
        assert response.status_code == 200, (url, response.status_code)

    if reports:
        if copy_wanted():
            once.append(_worker_step("copy"))
        ReportCache.objects.all().delete()
        _each_report(timed)
        ReportCache.objects.all().delete()
        timed("web: marketing, no report computed yet", lambda: get("marketing", "/marketing/"))
        ReportCache.objects.all().delete()
        once.append(_worker_step("refresh"))

    rows = []
    for name, role, url in pages:
        timing = benchkit.time_runs(lambda role=role, url=url: get(role, url), repeat)
        rows.append((name, url, timing.median * 1000, _p95(timing.runs) * 1000, timing.high * 1000))
        print(f"  {name}: p95 {rows[-1][3]:.0f} ms", flush=True)
    if profile:
        _profile_pages(profile, pages, get, repeat)
        if reports:
            ReportCache.objects.all().delete()
            with benchkit.flame_graph(Path(profile) / "page-marketing-nothing-computed.svg"):
                get("marketing", "/marketing/")
    print()
    benchkit.print_table(("page", "url", "median ms", "p95 ms", "max ms"), rows)
    print()
    benchkit.print_table(("once", "seconds", "peak MiB"), once)
    people = Person.objects.count()
    print(
        f"{people:,} people; {repeat} warm runs per page; peak resident memory of this "
        f"process {benchkit.peak_mib():,.0f} MiB; median of medians "
        f"{statistics.median(r[2] for r in rows):.0f} ms; {benchkit.machine_state()}"
    )


def _profile_pages(
    folder: str,
    pages: list[tuple[str, str, str]],
    get: Callable[[str, str], None],
    repeat: int,
) -> None:
    """A flame graph of each page over ``repeat`` more warm requests, after the timing."""
    for name, role, url in pages:
        slug = name.replace(" (", "-").replace(")", "").replace(" ", "-")
        with benchkit.flame_graph(Path(folder) / f"page-{slug}.svg"):
            for _ in range(repeat):
                get(role, url)
        print(f"  profiled {name}", flush=True)


def _each_report(timed: Callable[[str, Callable[[], object]], None]) -> None:
    """Each report of the Marketing page computed alone, none stored before."""
    from revloop.analytics.reports import AttributionParams, Reports

    default = AttributionParams()
    with Reports() as reports:
        timed(f"web: open the tables ({reports.engine})", lambda: reports.tables)
        timed("web: report never computed: funnel", reports.funnel)
        timed(
            "web: report never computed: funnel by source",
            lambda: reports.funnel(by=("source",)),
        )
        timed("web: report never computed: Markov", lambda: reports.attribution(default))
        timed(
            "web: report never computed: 8 models compared",
            lambda: reports.comparison(default),
        )
        timed("web: report never computed: content", reports.content)
        timed("web: report never computed: rejections", lambda: reports.rejections("source"))


_STEPS = {
    "copy": "worker: DuckDB copy made (rebuild_copy)",
    "refresh": "worker: refresh_reports(), nothing cached",
}


def _worker_step(step: str) -> tuple[str, float, str]:
    """One of the worker's analytics steps, in a child process as the worker runs it."""
    started = time.perf_counter()
    found = subprocess.run(
        [sys.executable, __file__, "--home", os.environ["REVLOOP_HOME"], "--step", step],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seconds = time.perf_counter() - started
    print(f"  {_STEPS[step]}: {seconds:.1f} s, {found.strip()} MiB", flush=True)
    return _STEPS[step], seconds, found.strip()


def _run_step(step: str) -> None:
    from revloop.analytics.reports import refresh_reports
    from revloop.analytics.store import rebuild_copy

    if step == "copy":
        rebuild_copy(force=True)
    else:
        refresh_reports()
    print(f"{benchkit.peak_mib():,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    benchkit.add_demo_arguments(parser, leads=20_000, repeat=20)
    parser.add_argument("--step", choices=tuple(_STEPS), help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", metavar="DIR", help="also write a flame graph of each page into DIR"
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="time the warm pages only, not the analytics (their cache stays as it is)",
    )
    opts = parser.parse_args()
    with benchkit.demo_home(opts.leads, opts.home) as home:
        benchkit.setup_django(home)
        if opts.step:
            _run_step(opts.step)
        else:
            _measure(opts.repeat, opts.profile, reports=not opts.pages_only)


if __name__ == "__main__":
    main()
