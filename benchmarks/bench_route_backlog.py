"""Routing a backlog of MQLs end to end: `revloop route --all-unassigned`, database to database.

    python benchmarks/bench_route_backlog.py [--leads 100000] [--database-url postgres://…/db]

Creates a fresh database (SQLite in a temporary REVLOOP_HOME, or the given empty
PostgreSQL database), the demo company's users, one account per five leads (40%
EMEA, 40% North America, a fifth with only a country; 5% owned by a rep) and
``--leads`` MQLs with no owner. Signs a contract that is the shipped one with every
rep's capacity raised to take the whole backlog (with the shipped 150 the six reps
fill up after 900 leads and the rest correctly waits). Then times, each as its own
`revloop` process (Django start-up included):

- ``route``: the whole backlog: facts read, rules run, owners claimed, assignments
  written, three SLA clocks per lead started. Budget: 60 s for 100,000.
- ``route again``: nothing left to route (the steady state of the 30-second job).
- ``sla status``: both teams' compliance this week, over the new clocks.
- ``catch-up sweep``: a worker back after ten days: every first-touch and
  accept-or-reject deadline has passed, so each lead gets two breach records and is
  re-assigned (the attempts clocks breach too, without re-assignment).
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
REPO = Path(__file__).resolve().parent.parent

_SETUP = """
import json, polars as pl
from django.utils import timezone
from revloop.core.bulk import insert_frame, reset_sequences
from revloop.demo.seed import ensure_demo_users
from revloop.people.models import Account, Person
leads = {leads}
users = {{u.username: u.pk for u in ensure_demo_users().values()}}
now = timezone.now()
accounts = max(leads // 5, 1)
ids = pl.int_range(1, accounts + 1, eager=True)
share = ids % 10
owners = [users["rachel"], users["lena"], users["tom"], users["sofia"]]
insert_frame(Account, pl.DataFrame({{
    "id": ids,
    "name": "Account " + ids.cast(pl.String),
    "region": pl.Series(["EMEA"] * 4 + ["NA"] * 4 + ["", ""])[share],
    "country": pl.Series(["DE", "FR", "GB", "NL", "US", "US", "CA", "US", "DE", "US"])[share],
    "owner_id": pl.Series(
        [owners[i % 4] if i % 20 == 0 else None for i in range(1, accounts + 1)], dtype=pl.Int64
    ),
}}).with_columns(pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("created_at")))
people = pl.int_range(1, leads + 1, eager=True)
emails = "lead" + people.cast(pl.String) + "@backlog.example"
insert_frame(Person, pl.DataFrame({{
    "id": people,
    "email": emails,
    "email_key": emails,
    "account_id": (people - 1) % accounts + 1,
    "stage": pl.Series(["mql"] * leads),
}}).with_columns(
    pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("stage_changed_at"),
    pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("created_at"),
))
reset_sequences([Account, Person])
print(json.dumps({{"accounts": accounts, "people": leads}}))
"""


_CATCH_UP = """
import json, time
from datetime import timedelta
from django.utils import timezone
from revloop.routing.sweep import sweep_sla_clocks
started = time.perf_counter()
summary = sweep_sla_clocks(timezone.now() + timedelta(days=10))
print(json.dumps({**summary, "seconds": time.perf_counter() - started}))
"""


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "revloop"), *args], env=env, text=True, capture_output=True, check=False
    )
    if done.returncode:
        sys.exit(f"bench_route_backlog: revloop {' '.join(args[:2])} failed:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def _json(args: list[str], env: dict[str, str]) -> tuple[float, Any]:
    wall, out = _run([*args, "--json"], env)
    return wall, json.loads(out)


def _sign_big_contract(env: dict[str, str], capacity: int, home: Path) -> None:
    text = (REPO / "src/revloop/engine/contract/default.yaml").read_text(encoding="utf-8")
    path = home / "backlog.yaml"
    path.write_text(text.replace("capacity: 150", f"capacity: {capacity}"), encoding="utf-8")
    # The command line acts as REVLOOP_TOKEN's user: one token per signer.
    signers = {}
    for name in ("maya", "nina"):
        _, created = _json(["token", "create", "--user", name, "--name", "bench"], env)
        signers[name] = {**env, "REVLOOP_TOKEN": created["token"]}
    _, proposed = _json(["contract", "propose", str(path)], signers["maya"])
    version = str(proposed["number"])
    _run(["contract", "approve", version], signers["maya"])
    _run(["contract", "approve", version], signers["nina"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="revloop-route-"))
    env = {**os.environ, "REVLOOP_HOME": str(home), "DJANGO_SETTINGS_MODULE": "revloop.settings"}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    _run(["migrate", "--no-input"], env)
    _run(["shell", "--no-imports", "-c", _SETUP.format(leads=args.leads)], env)
    _sign_big_contract(env, capacity=args.leads, home=home)

    rows: list[tuple[str, float, str]] = []
    wall, summary = _json(["route", "--all-unassigned"], env)
    note = (
        f"{summary['assigned']:,} of {summary['considered']:,} assigned "
        f"({summary['seconds']:.1f} s inside the command); by rule {summary['by_rule']}"
    )
    rows.append(("route", wall, note))
    wall, again = _json(["route", "--all-unassigned"], env)
    rows.append(("route again", wall, f"{again['considered']:,} waiting"))
    wall, status = _json(["sla", "status"], env)
    rows.append(("sla status", wall, f"{status['sales']['due']:,} clocks due this week"))

    _, out = _run(["shell", "--no-imports", "-c", _CATCH_UP], env)
    caught = json.loads(out)
    rows.append(
        (
            "catch-up sweep",
            caught["seconds"],
            f"{caught['breached']:,} breaches, {caught['reassigned']:,} leads re-assigned",
        )
    )

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nRouting a backlog of {args.leads:,} MQLs on {database} (wall time per command)\n")
    print(f"| {'step':<12} | {'seconds':>8} | result")
    print(f"|{'-' * 14}|{'-' * 10}|{'-' * 40}")
    for name, seconds, note in rows:
        print(f"| {name:<12} | {seconds:>8.1f} | {note}")


if __name__ == "__main__":
    main()
