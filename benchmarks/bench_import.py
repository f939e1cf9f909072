"""CSV import speed: `revloop import touches` against a bare executemany of the same rows.

    python benchmarks/bench_import.py [--rows 1000000] [--database-url postgres://…/empty_db]

Writes a generic touches CSV (100,000 distinct people, a campaign column, UTM
fields), imports it into a fresh database with the real command, imports it a
second time (every row already there), and times the practical limit: inserting
the same rows, already parsed, with one executemany into the same table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BIN = Path(sys.executable).parent
TYPES = ("page_view", "email_open", "email_click", "content_download", "form_submit")
CHANNELS = ("organic_search", "email", "paid_search", "paid_social", "referral")


def write_csv(path: Path, rows: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "event_id",
                "occurred_at",
                "type",
                "email",
                "channel",
                "url",
                "utm_source",
                "utm_medium",
            ]
        )
        for n in range(rows):
            at = start + timedelta(seconds=n * 17)
            out.writerow(
                [
                    f"imp-{n}",
                    at.isoformat(),
                    TYPES[n % 5],
                    f"person{n % 100_000}@company{n % 100_000 % 7_000}.example",
                    CHANNELS[n % 5],
                    f"https://example.com/p/{n % 300}",
                    "newsletter" if n % 5 == 1 else "",
                    "email" if n % 5 == 1 else "",
                ]
            )


def revloop(
    env: dict[str, str], *args: str, profile: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``revloop *args``; under py-spy (sampling from outside, not pausing it) with a
    flame graph written to ``profile``."""
    spy = (
        [str(BIN / "py-spy"), "record", "--nonblocking", "--rate", "50", "-o", str(profile), "--"]
        if profile
        else []
    )
    return subprocess.run(
        [*spy, str(BIN / "revloop"), *args], env=env, capture_output=True, text=True, check=False
    )


def baseline(env: dict[str, str]) -> float:
    """Seconds for one executemany of the imported rows, as stored, into the emptied table.

    The rows are read back from the table after the import (people resolved, campaigns
    and content linked, properties as JSON), the table is emptied, and the same rows go
    in again with one prepared statement in one transaction on the driver's own cursor:
    the practical limit of a row-by-row insert of exactly what the import wrote.
    """
    code = """
import time
from django.db import connection, transaction
cols = "event_id, person_id, anonymous_id, occurred_at, type, channel, campaign_id, content_id, url, utm_source, utm_medium, utm_campaign, utm_content, utm_term, properties"
with connection.cursor() as cursor:
    cursor.execute(f"SELECT {cols} FROM activity_touch ORDER BY id")
    rows = cursor.fetchall()
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM activity_touch")
mark = "?" if connection.vendor == "sqlite" else "%s"
raw = connection.connection
t = time.perf_counter()
with transaction.atomic():
    cursor = raw.cursor()
    cursor.executemany(f"INSERT INTO activity_touch ({cols}) VALUES ({', '.join([mark] * 15)})", rows)
print(time.perf_counter() - t)
"""
    done = revloop(env, "shell", "-c", code)
    if done.returncode:
        sys.exit(done.stderr)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", metavar="DIR", help="a flame graph of the first import")
    opts = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="revloop-bench-import-"))
    env = {**os.environ, "REVLOOP_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
    path = home / "touches.csv"
    write_csv(path, opts.rows)
    revloop(env, "migrate", "-v0")

    results = []
    database = "postgresql" if opts.database_url else "sqlite"
    for label in ("first import", "second import (all present)"):
        graph = (
            Path(opts.profile) / f"import-touches-{database}.svg"
            if opts.profile and label == "first import"
            else None
        )
        started = time.perf_counter()
        done = revloop(env, "import", "touches", str(path), "--json", profile=graph)
        seconds = time.perf_counter() - started
        if done.returncode:
            sys.exit(done.stderr or done.stdout)
        # py-spy says where it wrote the graph after the report.
        report, _ = json.JSONDecoder().raw_decode(done.stdout, done.stdout.index("{"))
        results.append((label, seconds, report))
    bare = baseline(env)

    size = path.stat().st_size / 2**20
    print(f"revloop import touches: {opts.rows:,} rows, {size:,.0f} MiB CSV, {database}")
    print(f"{'run':<30}{'seconds':>9}{'rows/s':>11}  result")
    for label, seconds, report in results:
        print(
            f"{label:<30}{seconds:>9.1f}{opts.rows / seconds:>11,.0f}  "
            f"created {report['created']:,}, unchanged {report['unchanged']:,}, errors {report['error_rows']:,}"
        )
    print(f"{'bare executemany, same rows':<30}{bare:>9.1f}{opts.rows / bare:>11,.0f}")
    print(f"ratio first import / bare executemany: {results[0][1] / bare:.1f}x the time")


if __name__ == "__main__":
    main()
