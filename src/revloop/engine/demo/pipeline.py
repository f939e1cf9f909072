"""Opportunities, their buying groups and their change history.

Honest deals move Discovery → Qualification → Proposal → Negotiation → Won/Lost
with the odd skipped stage, close dates that slip a month at a time and now and
then a revised amount. Stuffed deals (see the generator's ground truth) are
created in the last days of a quarter, often jump straight to Negotiation,
sometimes double their amount, get no activity and rot: their close dates are
pushed again and again or left in the past.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from revloop.engine.demo import catalog, names
from revloop.engine.demo.accounts import Accounts
from revloop.engine.demo.arrays import (
    F64,
    I64,
    MONEY,
    US_PER_DAY,
    US_PER_HOUR,
    Clock,
    dates,
    datetimes,
    draw,
    ids,
    nullable_ids,
    segment_ids,
    segment_positions,
    strings,
)
from revloop.engine.demo.funnel import Opportunities
from revloop.engine.demo.people import PERSONA_NAMES, People
from revloop.engine.vocabulary import BuyingRole, Channel, OpportunityStage

OPP_STAGES: tuple[str, ...] = tuple(s.value for s in OpportunityStage)
DISCOVERY, QUALIFICATION, PROPOSAL, NEGOTIATION, WON, LOST = range(6)
#: Push a slipped close date by this much each time.
_PUSH = 30 * US_PER_DAY
_WON_REASONS = ("product_fit", "roi", "relationship", "price", "integrations")
_LOST_REASONS = ("price", "competitor", "no_decision", "timing", "missing_feature", "budget")
_LOST_WEIGHTS = (20.0, 25.0, 25.0, 15.0, 10.0, 5.0)
_ROLE_OF_PERSONA = {
    "executive": BuyingRole.DECISION_MAKER,
    "finance": BuyingRole.ECONOMIC_BUYER,
    "operations": BuyingRole.CHAMPION,
    "it": BuyingRole.TECHNICAL_EVALUATOR,
    "end_user": BuyingRole.USER,
}
_PRICE_PER_VEHICLE = 420
_CHANGE_FIELDS = ("stage", "amount", "close_date")


@dataclass(frozen=True)
class PipelineFrames:
    opportunities: pl.DataFrame
    contacts: pl.DataFrame
    changes: pl.DataFrame


def pipeline_frames(
    rng: np.random.Generator,
    opps: Opportunities,
    people: People,
    accounts: Accounts,
    clock: Clock,
    *,
    first_opportunity_id: int,
    first_contact_id: int,
    first_change_id: int,
    first_person_id: int,
) -> PipelineFrames:
    m = len(opps.person)
    account = people.account[opps.person]
    employees = accounts.employees[account]
    vehicles = np.clip(employees * rng.uniform(0.04, 0.2, m), 10, 1500)
    amount = np.maximum(np.round(vehicles * _PRICE_PER_VEHICLE, -2), 5000.0)
    amount = np.where(opps.stuffed, np.round(amount * rng.uniform(1.2, 2.0, m), -2), amount)
    end = np.where(opps.closed, opps.close, clock.now)

    stage_rows = _stage_history(rng, opps, end, clock)
    amount_rows, final_amount = _amount_history(rng, opps, amount, end)
    close_rows, close_date = _close_dates(rng, opps, end, clock)

    final_stage = np.where(opps.closed, np.where(opps.won, WON, LOST), stage_rows.current)
    won_reason = draw(rng, np.ones(len(_WON_REASONS)), m)
    lost_reason = np.where(
        opps.stuffed, _LOST_REASONS.index("no_decision"), draw(rng, np.array(_LOST_WEIGHTS), m)
    )
    lost = opps.closed & ~opps.won
    outcome = pl.select(
        pl.when(pl.lit(opps.closed & opps.won))
        .then(strings(_WON_REASONS, won_reason))
        .when(pl.lit(lost))
        .then(strings(_LOST_REASONS, lost_reason))
        .otherwise(pl.lit(""))
    ).to_series()
    named = (lost & (lost_reason == _LOST_REASONS.index("competitor"))) | (
        rng.random(m) < np.where(lost, 0.25, np.where(opps.closed, 0.2, 0.1))
    )
    competitor = np.where(named, rng.integers(0, len(catalog.COMPETITORS), m), -1)

    industry = accounts.industry[account]
    cold_chain_industry = np.isin(
        industry, [names.INDUSTRIES.index(i) for i in ("Wholesale & Distribution", "Retail")]
    )
    product = np.where(amount < 25_000, 0, np.where(amount < 150_000, 1, 2))
    product = np.where(cold_chain_industry & (rng.random(m) < 0.4), 3, product)
    opportunity = pl.DataFrame(
        [
            ids(first_opportunity_id, m),
            pl.select(
                name=pl.concat_str(
                    pl.lit(accounts.name.gather(account)),
                    pl.lit(" - "),
                    pl.lit(strings(catalog.PRODUCTS, product)),
                )
            ).to_series(),
            pl.Series("account_id", account + 1),
            pl.Series("primary_contact_id", opps.person + first_person_id),
            pl.Series("amount", final_amount.astype(np.int64)).cast(MONEY),
            pl.Series("currency", ["USD"] * m, dtype=pl.String),
            strings(OPP_STAGES, final_stage, "stage"),
            dates(close_date, "close_date"),
            nullable_ids(opps.owner, "owner_id"),
            strings(tuple(c.value for c in Channel), people.source[opps.person], "source"),
            datetimes(opps.created, "created_at"),
            datetimes(opps.close, "closed_at", valid=opps.closed),
            outcome.alias("outcome_reason"),
            strings(tuple(c[0] for c in catalog.COMPETITORS), competitor, "competitor"),
        ]
    )

    changes = _change_frame(
        [stage_rows.rows, amount_rows, close_rows], opps, first_change_id, first_opportunity_id
    )
    contacts = _contacts(opps, people, first_contact_id, first_opportunity_id, first_person_id)
    return PipelineFrames(opportunity, contacts, changes)


@dataclass(frozen=True)
class _Rows:
    """Change rows of one field: opportunity index, time, order key, old and new text."""

    opp: I64
    at: I64
    order: I64
    field: int
    old: pl.Series
    new: pl.Series


@dataclass(frozen=True)
class _StageHistory:
    rows: _Rows
    current: I64


def _stage_history(
    rng: np.random.Generator, opps: Opportunities, end: I64, clock: Clock
) -> _StageHistory:
    m = len(opps.person)
    lost_reach = draw(rng, np.array([30.0, 30.0, 25.0, 15.0]), m)
    reach = np.where(opps.won, NEGOTIATION, lost_reach)
    span = (np.maximum(opps.close - opps.created, 3 * US_PER_HOUR)).astype(np.float64)
    fractions = np.sort(rng.uniform(0.05, 0.9, (m, 3)), axis=1)
    move_at = opps.created[:, None] + (fractions * span[:, None]).astype(np.int64)
    move_valid = np.arange(1, 4)[None, :] <= reach[:, None]
    # Now and then a rep skips a stage on the way.
    skipped = rng.integers(0, 2, m)
    skip = (rng.random(m) < 0.07) & (reach >= skipped + 2)
    move_valid[np.flatnonzero(skip), skipped[skip]] = False
    # Stuffed deals sit in Discovery or jump to Negotiation within days.
    jump = opps.stuffed & (rng.random(m) < 0.5)
    move_valid[opps.stuffed] = False
    move_valid[jump, 2] = True
    move_at[jump, 2] = opps.created[jump] + (
        rng.uniform(1.0, 72.0, int(jump.sum())) * US_PER_HOUR
    ).astype(np.int64)
    move_valid &= move_at < end[:, None]
    move_valid &= move_at < clock.now

    previous = np.full(m, DISCOVERY)
    olds, news, rows_opp, rows_at, rows_order = [], [], [], [], []
    created_row = np.arange(m)
    rows_opp.append(created_row)
    rows_at.append(opps.created)
    rows_order.append(np.zeros(m, dtype=np.int64))
    olds.append(np.full(m, -1))
    news.append(np.full(m, DISCOVERY))
    for j in range(3):  # the three moves between open stages
        who = np.flatnonzero(move_valid[:, j])
        rows_opp.append(who)
        rows_at.append(move_at[who, j])
        rows_order.append(np.full(len(who), 1 + j))
        olds.append(previous[who])
        news.append(np.full(len(who), j + 1))
        previous = np.where(move_valid[:, j], j + 1, previous)
    closed = np.flatnonzero(opps.closed)
    rows_opp.append(closed)
    rows_at.append(opps.close[closed])
    rows_order.append(np.full(len(closed), 9))
    olds.append(previous[closed])
    news.append(np.where(opps.won[closed], WON, LOST))
    rows = _Rows(
        opp=np.concatenate(rows_opp),
        at=np.concatenate(rows_at),
        order=np.concatenate(rows_order),
        field=0,
        old=strings(OPP_STAGES, np.concatenate(olds)),
        new=strings(OPP_STAGES, np.concatenate(news)),
    )
    return _StageHistory(rows, previous)


def _amount_history(
    rng: np.random.Generator, opps: Opportunities, amount: F64, end: I64
) -> tuple[_Rows, F64]:
    m = len(opps.person)
    u = rng.random(m)
    factor = np.where(
        opps.stuffed,
        np.where(u < 0.45, rng.uniform(2.0, 4.0, m), 1.0),
        np.where(
            u < 0.12, rng.uniform(0.8, 1.3, m), np.where(u < 0.15, rng.uniform(2.0, 3.2, m), 1.0)
        ),
    )
    new_amount = np.maximum(np.round(amount * factor, -2), 1000.0)
    life = (end - opps.created).astype(np.float64)
    when = np.where(
        opps.stuffed,
        opps.created + np.minimum(rng.uniform(1.0, 20.0, m) * US_PER_DAY, life * 0.5),
        opps.created + rng.uniform(0.2, 0.8, m) * life,
    ).astype(np.int64)
    changed = (new_amount != amount) & (when > opps.created) & (when < end)
    who = np.flatnonzero(changed)
    rows = _Rows(
        opp=who,
        at=when[who],
        order=np.full(len(who), 5),
        field=1,
        old=_money_text(amount[who]),
        new=_money_text(new_amount[who]),
    )
    return rows, np.where(changed, new_amount, amount)


def _money_text(values: F64) -> pl.Series:
    text = pl.Series(values.astype(np.int64)).cast(pl.String)
    return pl.select(pl.concat_str(pl.lit(text), pl.lit(".00"))).to_series()


def _close_dates(
    rng: np.random.Generator, opps: Opportunities, end: I64, clock: Clock
) -> tuple[_Rows, I64]:
    """Expected close dates: optimistic at first, pushed a month when they slip."""
    m = len(opps.person)
    day = US_PER_DAY
    cycle = (opps.close - opps.created).astype(np.float64)
    estimate = opps.created + np.maximum(cycle * rng.uniform(0.45, 0.9, m), 14 * day)
    quarter_ends = clock.quarter_ends()
    next_quarter = quarter_ends[
        np.minimum(
            np.searchsorted(quarter_ends, opps.created + 20 * day, side="right"),
            len(quarter_ends) - 1,
        )
    ]
    estimate = np.where(opps.stuffed, next_quarter - day, estimate).astype(np.int64)
    estimate -= estimate % day
    limit = np.where(opps.stuffed, np.where(rng.random(m) < 0.5, 6, 0), 4)
    # A rep notices a slipped date the day after it, within working hours.
    first_push = estimate + day + 8 * US_PER_HOUR
    pushes = np.clip(np.ceil((end - first_push) / _PUSH), 0, limit).astype(np.int64)
    who = segment_ids(pushes)
    j = segment_positions(pushes)
    push_at = (
        estimate[who] + day + j * _PUSH + (rng.random(len(who)) * 8 * US_PER_HOUR).astype(np.int64)
    )
    current = estimate + pushes * _PUSH
    # Closing a deal sets the close date to the day it closed.
    closed_day = opps.close - opps.close % day
    final = opps.closed & (closed_day != current)
    fin = np.flatnonzero(final)
    rows = _Rows(
        opp=np.concatenate((who, fin)),
        at=np.concatenate((push_at, opps.close[fin])),
        order=np.concatenate((np.full(len(who), 6), np.full(len(fin), 8))),
        field=2,
        old=pl.concat([_date_text(estimate[who] + j * _PUSH), _date_text(current[fin])]),
        new=pl.concat([_date_text(estimate[who] + (j + 1) * _PUSH), _date_text(closed_day[fin])]),
    )
    return rows, np.where(opps.closed, closed_day, current)


def _date_text(values: I64) -> pl.Series:
    return dates(values).cast(pl.String)


def _change_frame(
    parts: list[_Rows], opps: Opportunities, first_id: int, first_opportunity_id: int
) -> pl.DataFrame:
    opp = np.concatenate([p.opp for p in parts])
    at = np.concatenate([p.at for p in parts])
    order = np.concatenate([p.order for p in parts])
    field = np.concatenate([np.full(len(p.opp), p.field) for p in parts])
    old = pl.concat([p.old for p in parts])
    new = pl.concat([p.new for p in parts])
    sequence = np.lexsort((order, at, opp))
    owner = opps.owner[opp[sequence]]
    return pl.DataFrame(
        [
            ids(first_id, len(opp)),
            pl.Series("opportunity_id", opp[sequence] + first_opportunity_id),
            datetimes(at[sequence], "at"),
            strings(_CHANGE_FIELDS, field[sequence], "field"),
            old.gather(sequence).alias("old_value"),
            new.gather(sequence).alias("new_value"),
            nullable_ids(owner, "by_user_id"),
        ]
    )


def _contacts(
    opps: Opportunities,
    people: People,
    first_id: int,
    first_opportunity_id: int,
    first_person_id: int,
) -> pl.DataFrame:
    """The primary contact plus up to two colleagues from the same account."""
    m = len(opps.person)
    with_account = np.flatnonzero(people.account >= 0)
    by_account = with_account[np.argsort(people.account[with_account], kind="stable")]
    sorted_accounts = people.account[by_account]
    account = people.account[opps.person]
    lo = np.searchsorted(sorted_accounts, account, side="left")
    hi = np.searchsorted(sorted_accounts, account, side="right")
    opp_index = [np.arange(m)]
    person = [opps.person]
    taken = np.zeros(m, dtype=np.int64)
    for k in range(3):  # look at the first three colleagues; keep two besides the primary
        pos = lo + k
        inside = pos < hi
        colleague = by_account[np.minimum(pos, len(by_account) - 1)] if len(by_account) else pos
        keep = inside & (colleague != opps.person) & (taken < 2)
        taken += keep
        opp_index.append(np.flatnonzero(keep))
        person.append(colleague[keep])
    opp_all = np.concatenate(opp_index)
    person_all = np.concatenate(person)
    order = np.lexsort((person_all, opp_all))
    opp_all, person_all = opp_all[order], person_all[order]
    roles = [r.value for r in BuyingRole]
    role_of_persona = np.array(
        [roles.index(_ROLE_OF_PERSONA.get(p, BuyingRole.INFLUENCER)) for p in PERSONA_NAMES]
    )
    return pl.DataFrame(
        [
            ids(first_id, len(opp_all)),
            pl.Series("opportunity_id", opp_all + first_opportunity_id),
            pl.Series("person_id", person_all + first_person_id),
            strings(roles, role_of_persona[people.persona[person_all]], "role"),
        ]
    )
