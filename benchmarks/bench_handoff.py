"""The rep's pages on the demo company: the handoff brief and the inbox, as services.

    python benchmarks/bench_handoff.py --leads 20000 [--database-url postgres://…]
    python benchmarks/bench_handoff.py --home /tmp/revloop-bench-xyz   # reuse a seeded home

Seeds the demo company with `revloop demo --no-serve` (unless --home is given), has a
marketer hand 40 fresh leads to Sales so that routing assigns them and starts SLA
clocks, then times inside one `revloop shell` (best of 5, after a warm-up call):

- `handoff_brief` of a typical person (median touch count) and of the most-touched one;
- `rep_inbox` of the rep with the most open leads, of their manager (whole team), and
  of an admin (the whole company; rows are built for the first 500 only);
- the `/inbox/` page of that rep as the browser gets it (the 50 most pressing rows).

Prints one table: time and SQL queries per call, and how many rows each inbox had.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent

_MEASURE = """
import json, time
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from revloop.feedback.brief import handoff_brief
from revloop.feedback.inbox import rep_inbox
from revloop.lifecycle.actions import do_move_person
from revloop.people.models import Person
from revloop.users.models import User

marketer = User.objects.filter(groups__name="marketing").first()
fresh = Person.objects.filter(stage="lead", owner__isnull=True).exclude(account=None)
for pk in fresh.order_by("-rule_score").values_list("pk", flat=True)[:40]:
    do_move_person(pk, "mql", by=marketer, note="benchmark hand-raiser")

def best(call):
    call()
    fastest, queries = float("inf"), 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = call()
            fastest = min(fastest, time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return fastest, queries, result

counts = Person.objects.annotate(n=Count("touches")).order_by("n").values_list("pk", "n")
ordered = list(counts)
typical, most = ordered[len(ordered) // 2], ordered[-1]
reader = User.objects.filter(groups__name="viewer").first()
busiest = (
    Person.objects.filter(stage__in=["mql", "sal", "sql"], owner__isnull=False)
    .values("owner").annotate(n=Count("id")).order_by("-n").first()
)
rep = User.objects.get(pk=busiest["owner"])
admin = User.objects.filter(is_superuser=True).first() or User.objects.filter(groups__name="admin").first()
out = {}
for label, pk, n in (("typical", *typical), ("most_touched", *most)):
    seconds, queries, _ = best(lambda: handoff_brief(reader, pk))
    out[f"brief_{label}"] = {"seconds": seconds, "queries": queries, "touches": n}
for label, user in (("rep", rep), ("manager", rep.manager), ("admin", admin)):
    if user is None:
        continue
    seconds, queries, inbox = best(lambda: rep_inbox(user))
    out[f"inbox_{label}"] = {"seconds": seconds, "queries": queries, "rows": inbox.total,
                             "shown": len(inbox.rows), "clocks": sum(r.due_at is not None for r in inbox.rows)}
# The page as a browser gets it (template included), without collected static files.
from django.conf import settings
from django.test import Client
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
settings.SECURE_SSL_REDIRECT = False
browser = Client(HTTP_HOST="127.0.0.1")
browser.force_login(rep)
seconds, queries, response = best(lambda: browser.get("/inbox/"))
assert response.status_code == 200, response.status_code
out["inbox_page"] = {"seconds": seconds, "queries": queries, "kib": len(response.content) // 1024}
print(json.dumps(out))
"""


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "revloop"), *args], env=env, text=True, capture_output=True, check=False
    )
    if done.returncode:
        sys.exit(f"bench_handoff: revloop {args[0]} failed:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=20_000)
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
    if not opts.home:
        _run(["demo", "--no-serve", "--leads", str(opts.leads), "--seed", str(opts.seed)], env)
    _, stats_out = _run(["stats", "--json"], env)
    stats = json.loads(stats_out)
    _, out = _run(["shell", "--no-imports", "-c", _MEASURE], env)
    measured: dict[str, Any] = json.loads(out.strip().splitlines()[-1])

    rows = [
        ("database", "postgresql" if opts.database_url else "sqlite"),
        ("people / touches", f"{stats['people']:,} / {stats['touches']:,}"),
    ]
    for key, label in (
        ("brief_typical", "brief, typical person"),
        ("brief_most_touched", "brief, most-touched person"),
    ):
        m = measured[key]
        rows.append(
            (
                f"{label} ({m['touches']} touches)",
                f"{m['seconds'] * 1000:.0f} ms, {m['queries']} queries",
            )
        )
    for key, label in (
        ("inbox_rep", "inbox, busiest rep"),
        ("inbox_manager", "inbox, their manager"),
        ("inbox_admin", "inbox, admin (everyone)"),
    ):
        if key in measured:
            m = measured[key]
            rows.append(
                (
                    f"{label} ({m['rows']:,} leads, {m['shown']} shown, {m['clocks']} clocks)",
                    f"{m['seconds'] * 1000:.0f} ms, {m['queries']} queries",
                )
            )
    page = measured["inbox_page"]
    rows.append(
        (
            "inbox page of the busiest rep (50 rows rendered)",
            f"{page['seconds'] * 1000:.0f} ms, {page['queries']} queries, {page['kib']} KiB",
        )
    )
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"(home {home})")


if __name__ == "__main__":
    main()
