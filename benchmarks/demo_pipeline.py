"""The demo company's pipeline tables and the opportunities it stuffed, straight from
the generator (no database): what ``bench_pipeline_checks`` and ``bench_forecast`` read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from revloop.engine.contract import default_contract
from revloop.engine.demo import DemoConfig, generate
from revloop.engine.pipeline import PipelineData, from_tables


@dataclass(frozen=True)
class DemoPipeline:
    data: PipelineData
    stuffed: frozenset[int]
    now: dt.datetime


def demo_pipeline(leads: int, seed: int, now: dt.datetime, months: int = 12) -> DemoPipeline:
    company = generate(DemoConfig(leads=leads, seed=seed, now=now, months=months))
    frames: dict[str, list[pl.DataFrame]] = {}
    stuffed: list[int] = []
    for chunk in company.chunks():
        for table, frame in chunk.frames.items():
            frames.setdefault(table, []).append(frame)
        stuffed.extend(chunk.stuffed_opportunity_ids)
    tables = {name: pl.concat(parts) for name, parts in frames.items()}
    data = from_tables(
        tables["pipeline_opportunity"],
        tables["pipeline_opportunitycontact"],
        tables["pipeline_opportunitychange"],
        tables["activity_touch"],
        activity_types=default_contract().pipeline_checks.activity_types,
    )
    return DemoPipeline(data, frozenset(stuffed), now)
