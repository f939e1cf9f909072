"""Identity and import speed: dedupe of 1M people, CSV reading of 1M touches.

    python benchmarks/bench_dedupe.py [--people 1000000] [--touches 1000000] [--seed 7]

Generates, in a temporary directory, a people table with 2% duplicates (the same
mailbox written with other case, surrounding spaces, plus tags and dots where the
provider ignores them, googlemail for gmail) and a generic touches CSV. Each measured
step runs in its own child process so that its peak RSS is its own, and prints one
table: rows, seconds (median of 3 for dedupe), rows/s and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

DUPLICATE_SHARE = 0.02
FREE = ["gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com"]


def _peak_rss_mib() -> float:
    # VmHWM is this process image's own high-water mark; ru_maxrss would also count the
    # parent's memory that the child inherited through fork before exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _variant(email: str, rng: random.Random) -> str:
    local, domain = email.split("@")
    choice = rng.randrange(5)
    if choice == 0:
        return f"  {email.upper()} "
    if choice == 1 and domain in {"gmail.com", "outlook.com", "hotmail.com", "icloud.com"}:
        return f"{local}+{rng.choice(['news', 'crm', 'x1'])}@{domain}"
    if choice == 2 and domain == "gmail.com":
        return f"{local[:2]}.{local[2:]}@googlemail.com"
    if choice == 3:
        return f"{local.capitalize()}@{domain.upper()}\t"
    return email.title()


def generate_people(count: int, seed: int, path: Path) -> int:
    rng = random.Random(seed)
    duplicates = int(count * DUPLICATE_SHARE)
    unique = count - duplicates
    start = datetime(2020, 1, 1, tzinfo=UTC)
    emails = [
        f"person{i}@{rng.choice(FREE) if i % 3 == 0 else f'company{i % 40_000}.com'}"
        for i in range(unique)
    ]
    originals = rng.sample(range(unique), duplicates)
    emails += [_variant(emails[i], rng) for i in originals]
    order = list(range(count))
    rng.shuffle(order)
    frame = pl.DataFrame(
        {
            "id": pl.Series(range(1, count + 1), dtype=pl.Int64),
            "email": [emails[i] for i in order],
            "created_at": [start + timedelta(minutes=rng.randrange(2_000_000)) for _ in order],
            "touch_count": [rng.randrange(50) for _ in order],
            "first_name": [f"first{i % 5000}" for i in order],
            "last_name": [f"last{i % 7919}" for i in order],
            "account_id": [i % 40_000 for i in order],
        }
    )
    frame.write_parquet(path)
    return duplicates


def generate_touches(count: int, seed: int, path: Path) -> None:
    rng = random.Random(seed)
    types = ["page_view", "form_submit", "email_click", "content_download", "webinar"]
    channels = ["organic_search", "paid_search", "email", "referral", "direct"]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "event_id",
                "occurred_at",
                "type",
                "email",
                "anonymous_id",
                "channel",
                "campaign",
                "content",
                "url",
                "utm_source",
                "utm_medium",
                "utm_campaign",
            ]
        )
        for i in range(count):
            moment = start + timedelta(seconds=rng.randrange(30_000_000))
            writer.writerow(
                [
                    f"ev-{i}" if i % 4 else "",  # a quarter get a derived id
                    moment.isoformat(),
                    rng.choice(types),
                    f"person{rng.randrange(200_000)}@company{rng.randrange(9000)}.com",
                    "",
                    rng.choice(channels),
                    "Spring launch, EMEA" if i % 10 == 0 else "spring",
                    "Pricing guide",
                    f"https://www.example.com/p/{rng.randrange(500)}?utm=1",
                    "google",
                    "cpc",
                    "spring",
                ]
            )


# -- children -----------------------------------------------------------------------


def child_dedupe(path: Path, by_name: bool) -> dict[str, object]:
    from revloop.engine.identity.dedupe import find_duplicates

    people = pl.read_parquet(path)
    times = []
    clusters = []
    for _ in range(3):
        started = time.perf_counter()
        clusters = find_duplicates(people, by_name_and_account=by_name)
        times.append(time.perf_counter() - started)
    return {
        "rows": people.height,
        "seconds": statistics.median(times),
        "clusters": len(clusters),
        "losers": sum(len(c.loser_ids) for c in clusters),
        "rss": _peak_rss_mib(),
    }


def child_plans(path: Path) -> dict[str, object]:
    from revloop.engine.identity.dedupe import find_duplicates, plan_merges

    people = pl.read_parquet(path)
    clusters = find_duplicates(people)
    ids = [i for c in clusters for i in c.member_ids]
    members = people.filter(pl.col("id").is_in(ids))
    records = {r["id"]: r for r in members.iter_rows(named=True)}
    started = time.perf_counter()
    plans = list(plan_merges(clusters, records))
    seconds = time.perf_counter() - started
    return {"rows": len(plans), "seconds": seconds, "rss": _peak_rss_mib()}


def child_reader(path: Path, validate: bool) -> dict[str, object]:
    from revloop.engine.imports.reader import CsvReader
    from revloop.engine.imports.rows import RowFailure, read_records

    started = time.perf_counter()
    good = bad = 0
    if validate:
        with read_records(path, "touches") as stream:
            for result in stream:
                if isinstance(result, RowFailure):
                    bad += 1
                else:
                    good += 1
    else:
        with CsvReader(path) as reader:
            for row in reader:
                if row.error is None:
                    good += 1
                else:
                    bad += 1
    seconds = time.perf_counter() - started
    return {"rows": good, "bad": bad, "seconds": seconds, "rss": _peak_rss_mib()}


def _child(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    opts = parser.parse_args()

    if opts.child:
        kind, path = opts.child[0], Path(opts.child[1])
        result = {
            "dedupe": lambda: child_dedupe(path, by_name=False),
            "dedupe-name": lambda: child_dedupe(path, by_name=True),
            "plans": lambda: child_plans(path),
            "reader": lambda: child_reader(path, validate=False),
            "records": lambda: child_reader(path, validate=True),
        }[kind]()
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="revloop-bench-") as tmp:
        people_path = Path(tmp) / "people.parquet"
        touches_path = Path(tmp) / "touches.csv"
        expected = generate_people(opts.people, opts.seed, people_path)
        generate_touches(opts.touches, opts.seed, touches_path)
        size_mib = touches_path.stat().st_size / 2**20

        rows = []
        for label, kind, path in [
            ("dedupe by email (median of 3)", "dedupe", people_path),
            ("dedupe by email + name/account", "dedupe-name", people_path),
            ("merge plans for every cluster", "plans", people_path),
            (f"CSV reader, touches ({size_mib:,.0f} MiB)", "reader", touches_path),
            ("CSV -> validated TouchRecords", "records", touches_path),
        ]:
            result = _child([kind, str(path)])
            seconds = float(str(result["seconds"]))
            count = int(str(result["rows"]))
            note = ""
            if kind.startswith("dedupe"):
                note = f"{result['clusters']:,} clusters, {result['losers']:,} duplicates"
                if kind == "dedupe":
                    note += f" (generated {expected:,})"
            elif kind == "plans":
                note = f"{count:,} plans"
            else:
                note = f"{result['bad']:,} bad rows"
            rows.append(
                [
                    label,
                    f"{count:,}",
                    f"{seconds:.2f}",
                    f"{count / seconds:,.0f}",
                    f"{float(str(result['rss'])):,.0f} MiB",
                    note,
                ]
            )

    header = ["step", "rows", "seconds", "rows/s", "peak RSS", "notes"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    print(
        f"(people: {opts.people:,} with {DUPLICATE_SHARE:.0%} duplicates; seed {opts.seed}; "
        "each step in its own process)"
    )


if __name__ == "__main__":
    main()
