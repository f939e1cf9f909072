"""The Marketing page on a big demo company: uncached, after `refresh_reports()`, and
the data-version check alone.

    python benchmarks/bench_marketing_page.py --leads 200000 [--home DIR] [--repeat 5]

Seeds the demo company into a fresh REVLOOP_HOME (or reuses ``--home`` when it already
holds one, e.g. a database made by ``bench_demo.py``), then times, in this process:
the first page render (every report computed: the `auto` engine copies SQLite into
DuckDB past 200,000 touches), page renders served from the cache, one right after a
new touch (the page shows the recent report of older data), ``refresh_reports()``
(what the worker's periodic job does) and the page after it. Prints one table
with medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--home", default="", help="REVLOOP_HOME holding a seeded database")
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    home = Path(opts.home or tempfile.mkdtemp(prefix="revloop-bench-page-"))
    os.environ["REVLOOP_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revloop.settings")
    env = {**os.environ}
    seeded = (home / "revloop.sqlite3").exists()
    if not seeded:
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "revloop"), "demo", "--no-serve", "--leads", str(opts.leads)],
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"seeded {opts.leads:,} leads in {time.perf_counter() - started:.1f} s")
    else:
        subprocess.run([str(BIN / "revloop"), "migrate", "-v", "0"], env=env, check=True)

    measure(home, opts.repeat)


def measure(home: Path, repeat: int) -> None:
    import django

    django.setup()
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
        _measure(home, repeat)


def _measure(home: Path, repeat: int) -> None:
    from django.test import Client

    from revloop.activity.models import Touch
    from revloop.analytics.cache import data_version
    from revloop.analytics.models import ReportCache
    from revloop.analytics.reports import refresh_reports
    from revloop.users.models import User

    user = User.objects.filter(groups__name="marketing").first() or User.objects.first()
    assert user is not None, "the demo has users"
    client = Client()
    client.force_login(user)
    ReportCache.objects.all().delete()
    touches = Touch.objects.count()

    def render() -> float:
        started = time.perf_counter()
        response = client.get("/marketing/")
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - started

    uncached = render()
    cached = [render() for _ in range(repeat)]
    version = []
    for _ in range(repeat):
        started = time.perf_counter()
        data_version()
        version.append(time.perf_counter() - started)
    last = Touch.objects.order_by("-id").first()
    assert last is not None
    Touch.objects.create(
        person=last.person,
        occurred_at=datetime.now(UTC),
        type=last.type,
        channel=last.channel,
        event_id=f"bench-{time.time_ns()}",
    )
    older = render()
    started = time.perf_counter()
    refresh_reports()
    refresh = time.perf_counter() - started
    after = render()

    print(f"{'what':<44}{'seconds':>10}")
    print(f"{'database':<44}{home!s:>10}")
    print(f"{'touches':<44}{touches:>10,}")
    print(f"{'page, nothing cached (all reports computed)':<44}{uncached:>10.2f}")
    print(
        f"{'page from the cache, median of ' + str(repeat):<44}{statistics.median(cached):>10.3f}"
    )
    print(f"{'data version check, median':<44}{statistics.median(version):>10.4f}")
    print(f"{'page after a new touch (older data, marked)':<44}{older:>10.3f}")
    print(f"{'refresh_reports() after one new touch':<44}{refresh:>10.2f}")
    print(f"{'page after the refresh (from the cache)':<44}{after:>10.3f}")
    print(f"{'uncached / cached':<44}{uncached / statistics.median(cached):>10.0f}x")


if __name__ == "__main__":
    main()
