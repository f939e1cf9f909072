"""A randomised e-mail test with known lifts, shaped like Hillstrom's MineThatData set.

Three arms of ``PER_ARM`` customers each -- "Mens E-Mail", "Womens E-Mail" and the
"No E-Mail" holdout -- with a website visit, a conversion and the spend, drawn from
the rates below (the published Hillstrom figures: the women's e-mail lifted visits
from 10.6 % to 15.1 %, +43 % relative). Customers are put in arms at random and each
arm gets exactly its share of visits and conversions (at random rows), and its
converters' spend is scaled to exactly the arm's mean: so the lifts in the file are
the true lifts, known to the last digit, and the estimates must find them. (How
often the intervals cover the truth over repeated random draws is checked in
tests/engine/test_lift.py.) The seed is fixed: the file is the same on every run.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CONTROL = "No E-Mail"
ARMS = ("Mens E-Mail", "Womens E-Mail", CONTROL)
PER_ARM = 4000
VISIT = {"Mens E-Mail": 0.182, "Womens E-Mail": 0.151, CONTROL: 0.106}
CONVERSION = {"Mens E-Mail": 0.0125, "Womens E-Mail": 0.0088, CONTROL: 0.0057}
#: Spend of a converting customer: gamma, mean SHAPE * SCALE = 110.
SHAPE, SCALE = 2.0, 55.0


@dataclass(frozen=True)
class Truth:
    absolute: float
    relative: float


def expected(outcome: str, arm: str) -> float:
    """The arm's rate (visit, conversion) or mean spend per customer."""
    if outcome == "spend":
        return _count(CONVERSION[arm]) * SHAPE * SCALE / PER_ARM
    return _count({"visit": VISIT, "conversion": CONVERSION}[outcome][arm]) / PER_ARM


def truth(outcome: str, arm: str) -> Truth:
    treated, held_out = expected(outcome, arm), expected(outcome, CONTROL)
    return Truth(absolute=treated - held_out, relative=treated / held_out - 1)


def _count(rate: float, per_arm: int = PER_ARM) -> int:
    return round(rate * per_arm)


def hillstrom_like(seed: int = 2008, per_arm: int = PER_ARM) -> list[dict[str, str]]:
    """One row per customer, the arms interleaved at random like a real export."""
    rng = np.random.default_rng(seed)
    rows = []
    for arm in ARMS:
        # Only visitors buy: the converters are the first visitors of a random order.
        order = rng.permutation(per_arm)
        visit = np.zeros(per_arm, dtype=bool)
        visit[order[: _count(VISIT[arm], per_arm)]] = True
        converted = np.zeros(per_arm, dtype=bool)
        converted[order[: _count(CONVERSION[arm], per_arm)]] = True
        bought = rng.gamma(SHAPE, SCALE, int(converted.sum()))
        bought = np.round(bought * SHAPE * SCALE / bought.mean(), 2)
        bought[-1] += round(SHAPE * SCALE * bought.size - bought.sum(), 2)
        spend = np.zeros(per_arm)
        spend[converted] = bought
        recency = rng.integers(1, 13, per_arm)
        history = rng.gamma(1.5, 160.0, per_arm)
        zips = rng.choice(["Urban", "Surburban", "Rural"], per_arm)
        channel = rng.choice(["Web", "Phone", "Multichannel"], per_arm)
        rows.extend(
            {
                "recency": str(recency[i]),
                "history": f"{history[i]:.2f}",
                "zip_code": str(zips[i]),
                "channel": str(channel[i]),
                "segment": arm,
                "visit": str(int(visit[i])),
                "conversion": str(int(converted[i])),
                "spend": f"{spend[i]:.2f}",
            }
            for i in range(per_arm)
        )
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def write_csv(
    rows: list[dict[str, str]], path: Path, *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path
