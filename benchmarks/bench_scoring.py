"""Rule scoring at scale: full rescore, incremental rescore, automatic moves, peak memory.

    .venv/bin/python benchmarks/bench_scoring.py                  # 1M people, 10M touches
    .venv/bin/python benchmarks/bench_scoring.py --people 100000 --touches 1000000

Synthetic, seeded data shaped like the demo company: dense person ids (database keys),
a few hundred titles and thousands of company domains, touches spread over two years
with the column types the engine recommends (``TOUCH_SCHEMA``: enums for the
vocabulary, categorical URLs).
Times are engine time only: building the frames (the database read) is not counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import polars as pl

from revloop.engine.contract import default_contract
from revloop.engine.lifecycle import automatic_transitions
from revloop.engine.scoring import TOUCH_SCHEMA, explain, rescore_changed, score_people
from revloop.engine.scoring.result import ARRAY_FIELDS
from revloop.engine.vocabulary import ContentKind, TouchType

T = TypeVar("T")
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
SECONDS_IN_TWO_YEARS = 2 * 365 * 86_400

TITLES = [
    f"{level}{role}"
    for level in ("", "Senior ", "Head of ", "VP ", "Director of ", "Chief ", "Junior ")
    for role in (
        "Sales",
        "Marketing",
        "IT",
        "Operations",
        "Finance",
        "Engineering",
        "Procurement",
        "Data",
        "Security",
        "HR",
        "Product",
        "Customer Success",
        "Logistics",
        "Strategy",
    )
] + ["Student", "Intern", "Manager", "Analyst", "Consultant", "CEO", "CTO", "test", "Professor"]
INDUSTRIES = [
    "software",
    "financial_services",
    "manufacturing",
    "healthcare",
    "logistics",
    "retail",
    "education",
    "public_sector",
    "energy",
    "media",
]
COUNTRIES = ["US", "CA", "GB", "DE", "FR", "NL", "SE", "NO", "BR", "IN", "JP", "AU", "ES", "IT"]
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de"]
TYPES = [t.value for t in TouchType]
TYPE_WEIGHTS = np.array([40, 4, 20, 12, 6, 2, 3, 1, 1, 1, 1], dtype=np.float64)
KINDS = [k.value for k in ContentKind]


def pick(
    rng: np.random.Generator, values: list[str], size: int, null_share: float = 0.0
) -> pl.Series:
    codes = rng.integers(0, len(values), size)
    series = pl.Series(codes).replace_strict(
        list(range(len(values))), values, return_dtype=pl.String
    )
    if null_share:
        series = series.set(pl.Series(rng.random(size) < null_share), None)
    return series


def make_people(rng: np.random.Generator, count: int) -> pl.DataFrame:
    ids = np.arange(1, count + 1, dtype=np.int64)
    domains = [f"company{i}.example" for i in range(max(count // 20, 10))] + FREE_MAIL
    sizes = pl.Series(np.exp(rng.normal(5.5, 1.6, count)).astype(np.int64))
    frame = pl.DataFrame(
        {
            "person_id": ids,
            "domain": pick(rng, domains, count),
            "person.title": pick(rng, TITLES, count, null_share=0.1),
            "account.name": pick(rng, ["Some company"], count, null_share=0.15),
            "account.industry": pick(rng, INDUSTRIES, count, null_share=0.1),
            "account.employee_count": sizes.set(pl.Series(rng.random(count) < 0.2), None),
            "account.country": pick(rng, COUNTRIES, count, null_share=0.05),
            "account.region": pick(rng, ["NA", "EMEA", "APAC"], count, null_share=0.05),
            "account.tier": pick(rng, ["1", "2", "3", ""], count),
        }
    )
    email = pl.lit("p") + pl.col("person_id").cast(pl.String) + pl.lit("@") + pl.col("domain")
    return frame.with_columns(email.alias("person.email")).drop("domain")


def make_touches(rng: np.random.Generator, count: int, people: int) -> pl.DataFrame:
    # Engagement is skewed: a few people do much more than the rest.
    person = (rng.pareto(1.2, count) * people / 40).astype(np.int64) % people + 1
    seconds = rng.integers(0, SECONDS_IN_TWO_YEARS, count)
    occurred = np.datetime64(NOW.replace(tzinfo=None), "us") - seconds.astype("timedelta64[s]")
    type_codes = rng.choice(len(TYPES), count, p=TYPE_WEIGHTS / TYPE_WEIGHTS.sum())
    kind_codes = rng.integers(0, len(KINDS), count)
    has_kind = np.isin(type_codes, [TYPES.index("content_download"), TYPES.index("form_submit")])
    paths = ["/pricing", "/careers/open-roles", "/product", "/"] + [
        f"/blog/post-{i}" for i in range(5_000)
    ]
    url_codes = rng.integers(0, len(paths), count)
    is_view = type_codes == TYPES.index("page_view")
    return pl.DataFrame(
        {
            "person_id": person,
            "occurred_at": pl.Series(occurred).dt.replace_time_zone("UTC"),
            "type": pl.Series(type_codes).replace_strict(
                list(range(len(TYPES))), TYPES, return_dtype=TOUCH_SCHEMA["type"]
            ),
            "content_kind": pl.Series(np.where(has_kind, kind_codes, -1)).replace_strict(
                list(range(len(KINDS))),
                KINDS,
                default=None,
                return_dtype=TOUCH_SCHEMA["content_kind"],
            ),
            "url": pl.Series(np.where(is_view, url_codes, -1))
            .replace_strict(
                list(range(len(paths))),
                ["https://acme.example" + p for p in paths],
                default=None,
                return_dtype=pl.String,
            )
            .cast(TOUCH_SCHEMA["url"]),
        }
    )


def timed(action: Callable[[], T], repeat: int) -> tuple[float, float, T]:
    """Median wall time and median CPU time (all threads) of ``repeat`` runs, last result.

    The machines are shared: wall time includes waiting for a core, CPU time does not.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        start, before = time.perf_counter(), os.times()
        result = action()
        after = os.times()
        walls.append(time.perf_counter() - start)
        cpus.append(after.user + after.system - before.user - before.system)
    return statistics.median(walls), statistics.median(cpus), result


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--touches", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    contract = default_contract()
    start = time.perf_counter()
    people = make_people(rng, args.people)
    touches = make_touches(rng, args.touches, args.people)
    built = time.perf_counter() - start
    rss_inputs = peak_rss_mib()

    full_wall, full_cpu, full = timed(
        lambda: score_people(contract, people, touches, NOW), args.repeat
    )
    rss_full = peak_rss_mib()

    # 1% of people act again: one new demo request each, an hour ago.
    changed = rng.choice(people["person_id"].to_numpy(), max(args.people // 100, 1), replace=False)
    arrivals = pl.DataFrame(
        {
            "person_id": changed,
            "occurred_at": pl.Series([NOW - dt.timedelta(hours=1)] * changed.size),
            "type": pl.Series(["form_submit"] * changed.size, dtype=TOUCH_SCHEMA["type"]),
            "content_kind": pl.Series(
                ["demo_request"] * changed.size, dtype=TOUCH_SCHEMA["content_kind"]
            ),
            "url": pl.Series([None] * changed.size, dtype=pl.String).cast(TOUCH_SCHEMA["url"]),
        }
    )
    everything = pl.concat([touches, arrivals])
    changed_people = people.filter(pl.col("person_id").is_in(changed))
    changed_touches = everything.filter(pl.col("person_id").is_in(changed))
    incremental_wall, incremental_cpu, incremental = timed(
        lambda: rescore_changed(full, changed_people, changed_touches), args.repeat
    )
    subset_wall, _, _ = timed(
        lambda: score_people(contract, changed_people, changed_touches, NOW), args.repeat
    )
    after = score_people(contract, people, everything, NOW)
    same = all(
        np.array_equal(getattr(after, name), getattr(incremental, name)) for name in ARRAY_FIELDS
    )

    stages = pl.DataFrame(
        {
            "person_id": people["person_id"],
            "stage": pick(rng, ["lead", "mql", "sal", "recycled", "customer"], args.people),
            "stage_changed_at": pl.Series(
                np.datetime64(NOW.replace(tzinfo=None), "us")
                - rng.integers(0, SECONDS_IN_TWO_YEARS, args.people).astype("timedelta64[s]")
            ).dt.replace_time_zone("UTC"),
        }
    )
    auto_wall, auto_cpu, moves = timed(
        lambda: automatic_transitions(contract, after, stages), args.repeat
    )
    one = int(after.person_id[int(np.argmax(after.total))])
    explain_wall, _, _ = timed(lambda: explain(after, one), args.repeat)

    rules = (
        len(contract.scoring.engagement),
        len(contract.scoring.fit),
        len(contract.scoring.negative),
    )
    rows = [
        ("people / touches", f"{args.people:,} / {args.touches:,}", ""),
        ("rules: engagement / fit / negative", " / ".join(map(str, rules)), ""),
        ("build synthetic frames (not engine time)", f"{built:.2f} s", ""),
        (f"full rescore (median of {args.repeat})", f"{full_wall:.2f} s", f"{full_cpu:.2f} s"),
        (
            f"incremental: {changed.size:,} people, {changed_touches.height:,} touches",
            f"{incremental_wall:.3f} s",
            f"{incremental_cpu:.3f} s",
        ),
        ("  of which scoring them (rest: merging)", f"{subset_wall:.3f} s", ""),
        ("  equal to a full rescore, bit for bit", "yes" if same else "NO", ""),
        (
            f"automatic moves for everyone ({moves.height:,} moves)",
            f"{auto_wall:.2f} s",
            f"{auto_cpu:.2f} s",
        ),
        ("explain one person", f"{explain_wall * 1000:.2f} ms", ""),
        ("MQL-eligible people", f"{int(after.mql_eligible.sum()):,}", ""),
        ("peak RSS after building inputs", f"{rss_inputs:,.0f} MiB", ""),
        ("peak RSS after full rescores", f"{rss_full:,.0f} MiB", ""),
        ("peak RSS at the end", f"{peak_rss_mib():,.0f} MiB", ""),
    ]
    width = max(len(label) for label, _, _ in rows)
    print(f"{'measure':<{width}}  {'value / wall':>22}  {'CPU':>9}")
    print(f"{'-' * width}  {'-' * 22}  {'-' * 9}")
    for label, value, cpu in rows:
        print(f"{label:<{width}}  {value:>22}  {cpu:>9}")
    if not same:
        raise SystemExit("incremental rescoring differs from a full rescore")


if __name__ == "__main__":
    main()
