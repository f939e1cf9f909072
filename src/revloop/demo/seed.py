"""Load the generated demo company into the database, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

import revloop.engine.demo
from revloop.activity.models import Campaign, ContentAsset, Touch
from revloop.catalog.actions import do_check_all_content, do_save_catalog
from revloop.contracts.versions import active_version
from revloop.core.bulk import insert_frame, reset_sequences
from revloop.core.loading import indexes_deferred, written_once
from revloop.demo import website
from revloop.demo.goals import seed_goals
from revloop.demo.models import DemoSeed
from revloop.engine.demo import DemoChunk, DemoConfig, DemoUser, demo_users, generate
from revloop.engine.demo.heard import heard_items
from revloop.engine.identity.dedupe import canonical_email_series
from revloop.engine.vocabulary import Role
from revloop.feedback.models import HeardItem
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity, OpportunityChange, OpportunityContact
from revloop.routing.actions import (
    do_backfill_sla_history,
    do_record_marketing_weeks,
    do_route_people,
)
from revloop.routing.weeks import week_start
from revloop.scoring.actions import do_rescore
from revloop.users.models import User

#: Brightline's offer catalog, written from what the generator plants.
OFFER_CATALOG = Path(revloop.engine.demo.__file__).parent / "offer_catalog.yaml"
DEMO_PASSWORD = "revloop-demo"  # noqa: S105 - printed to the operator; demo data only

_SEEDED_MODELS = (
    Campaign,
    ContentAsset,
    Account,
    Person,
    Touch,
    StageTransition,
    Opportunity,
    OpportunityContact,
    OpportunityChange,
)
_MODELS: dict[str, type[Model]] = {model._meta.db_table: model for model in _SEEDED_MODELS}
_CHUNKED_MODELS = tuple(_MODELS[table] for table in revloop.engine.demo.CHUNK_TABLES)
_USER_COLUMNS = ("owner_id", "by_user_id")


@dataclass(frozen=True)
class SeedResult:
    leads: int
    rows: int
    seconds: float


def is_empty() -> bool:
    return not (Person.objects.exists() or Account.objects.exists() or Touch.objects.exists())


def ensure_demo_users(users: list[DemoUser] | None = None) -> dict[int, User]:
    """Create (or find) one user per demo persona; keys map to database users."""
    users = users or demo_users()
    created: dict[int, User] = {}
    groups = {g.name: g for g in Group.objects.all()}
    # One hash for the shared demo password: hashing is deliberately slow.
    password_hash = make_password(DEMO_PASSWORD)
    for spec in users:
        user, was_created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": spec.email,
                "team": spec.team,
                "time_zone": spec.time_zone,
                "is_staff": spec.role == "admin",
                "is_superuser": spec.role == "admin",
            },
        )
        if was_created:
            user.password = password_hash
            user.save(update_fields=["password"])
            user.groups.add(groups[spec.role])
        created[spec.key] = user
    for spec in users:
        if spec.manager_key is not None and created[spec.key].manager_id is None:
            created[spec.key].manager = created[spec.manager_key]
            created[spec.key].save(update_fields=["manager"])
    return created


def _map_users(frame: pl.DataFrame, ids: dict[int, int]) -> pl.DataFrame:
    mapped = [
        pl.col(c).replace_strict(ids, default=None, return_dtype=pl.Int64).alias(c)
        for c in _USER_COLUMNS
        if c in frame.columns
    ]
    return frame.with_columns(mapped) if mapped else frame


def _prepare(table: str, frame: pl.DataFrame, user_ids: dict[int, int]) -> pl.DataFrame:
    frame = _map_users(frame, user_ids)
    if table == Person._meta.db_table:
        frame = frame.with_columns(canonical_email_series(frame["email"]).alias("email_key"))
    return frame


def start_sla_clocks(now: datetime) -> None:
    """Both teams' SLA record of the last two weeks from the history, then every open MQL
    still unworked is assigned now, so a rep logging in sees running clocks."""
    monday = week_start(now) - timedelta(days=7)
    since = datetime.combine(monday, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    do_backfill_sla_history(now, since=since)
    do_route_people(None, now)
    do_record_marketing_weeks(now)


@dataclass(frozen=True)
class _ChunkLoad:
    chunk: DemoChunk
    #: What to insert, in foreign-key order.
    frames: list[tuple[type[Model], pl.DataFrame]]
    #: The plain page views the website's tracker sends instead (``website``).
    page_calls: list[dict[str, Any]]


def _chunk_load(chunk: DemoChunk, user_ids: dict[int, int], now: datetime) -> _ChunkLoad:
    frames: list[tuple[type[Model], pl.DataFrame]] = []
    calls: list[dict[str, Any]] = []
    for table, frame in chunk.frames.items():
        loaded = frame
        if table == Touch._meta.db_table:
            people = chunk.frames[Person._meta.db_table]
            loaded, calls = website.split_page_views(frame, people, now=now)
        frames.append((_MODELS[table], _prepare(table, loaded, user_ids)))
    return _ChunkLoad(chunk, frames, calls)


def _ahead(loads: Iterator[_ChunkLoad]) -> Iterator[_ChunkLoad]:
    """``loads``, each next one made in a thread while the caller writes this one.

    Generating is numpy and polars, writing is mostly SQLite's or the server's own
    work: both let go of the GIL, so on two cores the two overlap. The chunks are the
    same either way (each is seeded on its own), and at most two are held at once.
    No database access happens in the thread: Django's connections are per thread.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-generator") as pool:
        pending = pool.submit(next, loads, None)
        while (load := pending.result()) is not None:
            pending = pool.submit(next, loads, None)
            yield load


def seed_heard(seed: int, now: datetime) -> int:
    """The questions and objections reps heard from the leads they accepted
    (``engine.demo.heard``: a random stream of its own, drawn after the company)."""
    accepted: dict[int, tuple[datetime, int]] = {}
    for person_id, at, by_user_id, owner_id in (
        StageTransition.objects.filter(from_stage="mql", to_stage="sal")
        .order_by("person_id", "at", "id")
        .values_list("person_id", "at", "by_user_id", "person__owner_id")
    ):
        rep = by_user_id or owner_id
        if person_id not in accepted and rep:
            accepted[person_id] = (at, rep)
    deal_of: dict[int, tuple[int, str]] = {}
    for person_id, deal_id, stage in OpportunityContact.objects.order_by(
        "person_id", "opportunity_id"
    ).values_list("person_id", "opportunity_id", "opportunity__stage"):
        deal_of.setdefault(person_id, (deal_id, stage))
    people = sorted(accepted)
    micros = 1_000_000
    drawn = heard_items(
        seed,
        int(now.timestamp() * micros),
        np.array([int(accepted[p][0].timestamp() * micros) for p in people], dtype=np.int64),
        np.array([deal_of.get(p, (0, ""))[1] == "lost" for p in people], dtype=bool),
    )
    items = []
    for index, at_us, kind, text in zip(
        drawn.lead.tolist(), drawn.at_us.tolist(), drawn.kind, drawn.text, strict=True
    ):
        person = people[index]
        at = datetime.fromtimestamp(at_us / micros, tz=UTC)
        deal = deal_of.get(person)
        items.append(
            HeardItem(
                person_id=person,
                user_id=accepted[person][1],
                kind=kind,
                text=text,
                at=at,
                opportunity_id=deal[0] if deal else None,
                recorded_at=at,
            )
        )
    HeardItem.objects.bulk_create(items, batch_size=2000)
    return len(items)


def seed_demo(
    *,
    leads: int,
    seed: int,
    now: datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> SeedResult:
    """Generate and insert the demo company in one transaction."""
    import time

    started = time.perf_counter()
    config = DemoConfig(leads=leads, seed=seed, now=now)
    company = generate(config)
    rows = 0
    stuffed: list[int] = []
    with written_once(), transaction.atomic():
        users = ensure_demo_users(company.users)
        user_ids = {key: user.pk for key, user in users.items()}
        for model, frame in (
            (Campaign, company.campaigns),
            (ContentAsset, company.content),
            (Account, company.accounts),
        ):
            rows += insert_frame(model, _map_users(frame, user_ids))
        done = 0
        total = company.expected_people()
        progress(done, total)
        tracked: list[dict[str, Any]] = []
        # The tables are empty: their indexes are built once the rows are in, before
        # the tracker's page views below look people and cookies up through them.
        loads = (_chunk_load(chunk, user_ids, now) for chunk in company.chunks())
        with indexes_deferred(_CHUNKED_MODELS):
            for load in _ahead(loads):
                for chunked, frame in load.frames:
                    rows += insert_frame(chunked, frame)
                tracked.extend(load.page_calls)
                stuffed.extend(load.chunk.stuffed_opportunity_ids)
                done += load.chunk.people
                progress(done, total)
        reset_sequences(_SEEDED_MODELS)
        rows += website.send_page_views(tracked, now=now)
        # The answer key (`revloop demo answers`) reads what this seeding planted.
        DemoSeed.objects.create(
            leads=leads,
            seed=seed,
            generated_for=now,
            months=config.months,
            stuffed_opportunity_ids=stuffed,
        )
        # The contract the demo company works under (the shipped default, Brightline's).
        active_version()
        # What Brightline really sells, so its copy can be checked against it; kept
        # by Marketing, so the demo's marketer is its author.
        marketer = next(
            (u for u in users.values() if Role.MARKETING.value in u.roles and not u.is_superuser),
            None,
        )
        do_save_catalog(
            OFFER_CATALOG.read_text(encoding="utf-8"),
            by=marketer,
            source="offer_catalog.yaml",
            note="Brightline's offers, as the demo generator plants them.",
        )
        website.issue_site_key(marketer)
        # Rows went in by bulk insert, past the receivers that check saved copy.
        do_check_all_content(by=None)
        rows += seed_heard(seed, now)
    # Scores only: the generated history already says where everyone stands.
    do_rescore(full=True, trigger="seed", now=now, apply_moves=False)
    start_sla_clocks(now)
    seed_goals(now)
    return SeedResult(leads=leads, rows=rows, seconds=time.perf_counter() - started)
