"""Routing and SLA clock speed, and how fair the weighted rotation is.

    .venv/bin/python benchmarks/bench_routing.py [--decisions 5000] [--backlog 100000]

- ``single decision``: one lead at a time, each at a new moment (so every rep's
  working hours and local date are looked up again), with 100 reps in three time
  zones and 20 rules: an owner rule, 18 segment rules on country, region, industry,
  tier and size that send to teams of 10, and a catch-all team of all 100 reps. A
  fifth of the leads have an account owner; half match no segment and reach the
  catch-all, the slowest path. Budget: p99 under 5 ms.
- ``backlog``: 100,000 such leads routed in one batch (one moment). Budget: 60 s.
- ``fairness``: 10,000 leads over 7 reps with weights 1-3, three of them with a
  capacity below their share; the largest relative gap between a rep's leads and
  their water-filled weighted share, over the reps not held by capacity. Budget: 1%.
- ``business add``: one deadline of 4, 16 or 400 business hours from a random start
  on a New York calendar with holidays.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections import Counter

from revloop.engine.contract.schema import (
    NumberRange,
    Routing,
    RoutingRule,
    Segment,
    Team,
    TeamMember,
)
from revloop.engine.routing import (
    LeadFacts,
    RepState,
    Router,
    max_relative_deviation,
    weighted_shares,
)
from revloop.engine.sla import BusinessCalendar

ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo")
COUNTRIES = ("US", "CA", "DE", "FR", "GB", "JP", "AU", "BR", "IN", "ES", "IT", "NL")
INDUSTRIES = ("Software", "Retail", "Finance", "Health", "Manufacturing")
START = dt.datetime(2026, 6, 1, 13, tzinfo=dt.UTC)


def contract_routing(rng: random.Random) -> tuple[Routing, list[str]]:
    users = [f"rep{i:03d}" for i in range(100)]
    teams = [
        Team(f"team{t}", tuple(TeamMember(u, rng.choice((1, 2, 3))) for u in users[t::10]))
        for t in range(10)
    ]
    teams.append(Team("everyone", tuple(TeamMember(u) for u in users)))
    rules = [RoutingRule("owner", "Owner", account_owner=True)]
    for i in range(18):
        when = Segment(
            countries=(COUNTRIES[i % 6 + 6], COUNTRIES[(i + 1) % 6 + 6]),
            regions=("EMEA", "APAC") if i % 2 else (),
            industries=(INDUSTRIES[i % 5],) if i % 3 else (),
            tiers=(str(i % 3 + 1),) if i % 4 == 0 else (),
            size=NumberRange(10 * i, None) if i % 5 == 0 else None,
        )
        rules.append(RoutingRule(f"segment{i}", f"Segment {i}", team=f"team{i % 10}", when=when))
    rules.append(RoutingRule("rest", "Everyone else", team="everyone"))
    return Routing(tuple(rules), tuple(teams)), users


def reps_for(users: list[str]) -> dict[str, RepState]:
    calendars = [BusinessCalendar(zone) for zone in ZONES]
    return {u: RepState(u, calendars[i % 3]) for i, u in enumerate(users)}


def leads(rng: random.Random, count: int, users: list[str]) -> list[LeadFacts]:
    return [
        LeadFacts(
            person_id=i,
            account_owner=rng.choice(users) if rng.random() < 0.2 else None,
            country=rng.choice(COUNTRIES),
            region=rng.choice(("EMEA", "APAC", "NA")),
            industry=rng.choice(INDUSTRIES),
            employees=rng.randrange(1, 5000),
            tier=rng.choice("123"),
        )
        for i in range(1, count + 1)
    ]


def single(count: int) -> tuple[float, float]:
    rng = random.Random(1)
    routing, users = contract_routing(rng)
    router = Router(routing, reps_for(users))
    times = []
    for i, lead in enumerate(leads(rng, count, users)):
        now = START + dt.timedelta(minutes=7 * i)
        began = time.perf_counter()
        router.route(lead, now)
        times.append(time.perf_counter() - began)
    cuts = statistics.quantiles(times, n=100)
    return cuts[49] * 1e3, cuts[98] * 1e3


def backlog(count: int) -> float:
    rng = random.Random(2)
    routing, users = contract_routing(rng)
    batch = leads(rng, count, users)
    router = Router(routing, reps_for(users))
    began = time.perf_counter()
    decisions = router.route_many(batch, START)
    elapsed = time.perf_counter() - began
    assert all(decision.username is not None for decision in decisions)
    return elapsed


def fairness(count: int = 10_000) -> tuple[float, int]:
    spec = {
        "ann": (1, None),
        "bob": (2, 1000),
        "cy": (3, None),
        "dee": (1, 600),
        "eve": (2, None),
        "fay": (3, 2000),
        "gus": (1, None),
    }
    team = Team("sales", tuple(TeamMember(n, w, cap) for n, (w, cap) in spec.items()))
    routing = Routing((RoutingRule("all", "All", team="sales"),), (team,))
    router = Router(routing, {name: RepState(name) for name in spec})
    counts = Counter(
        d.username for d in router.route_many([LeadFacts(i) for i in range(count)], START)
    )
    shares = weighted_shares(
        count, {n: w for n, (w, _) in spec.items()}, {n: c for n, (_, c) in spec.items()}
    )
    free = [n for n, (_, cap) in spec.items() if cap is None or cap > shares[n] + 1]
    capped_misses = sum(abs(counts[n] - spec[n][1]) for n in spec if n not in free)  # type: ignore[operator]
    return max_relative_deviation(dict(counts), shares, free), capped_misses


def business_add(count: int = 20_000) -> float:
    rng = random.Random(3)
    calendar = BusinessCalendar(
        "America/New_York",
        holidays=frozenset(
            dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(730)) for _ in range(20)
        ),
    )
    starts = [START + dt.timedelta(minutes=rng.randrange(60 * 24 * 365)) for _ in range(count)]
    durations = [dt.timedelta(hours=rng.choice((4, 16, 400))) for _ in range(count)]
    began = time.perf_counter()
    for start, duration in zip(starts, durations, strict=True):
        calendar.add(start, duration)
    return (time.perf_counter() - began) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--backlog", type=int, default=100_000)
    args = parser.parse_args()
    p50, p99 = single(args.decisions)
    seconds = backlog(args.backlog)
    deviation, capped_misses = fairness()
    add_us = business_add()
    rows = [
        ("single decision p50 (100 reps, 20 rules)", f"{p50:.3f} ms", "-"),
        ("single decision p99 (100 reps, 20 rules)", f"{p99:.3f} ms", "< 5 ms"),
        (f"backlog of {args.backlog:,} leads", f"{seconds:.2f} s", "< 60 s"),
        ("fairness: max deviation from weighted share", f"{deviation:.3%}", "< 1%"),
        ("fairness: capped reps off their capacity", f"{capped_misses} leads", "0"),
        ("business add (4/16/400 h, holidays)", f"{add_us:.1f} µs per call", "-"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'result':>20}  budget")
    for name, value, budget in rows:
        print(f"{name:<{width}}  {value:>20}  {budget}")


if __name__ == "__main__":
    main()
