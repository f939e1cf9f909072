"""The lifecycle: MQL by points, the rep's verdict, SQL, opportunity and outcome.

Each person walks Lead → MQL → SAL → SQL → Opportunity → Customer as far as their
behaviour, fit and the clock allow. Every step happens at a time strictly after
the previous one; a step whose time falls at or after ``now`` has not happened
yet (right-censoring), so recent people sit in early stages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from revloop.engine.demo import catalog, templates
from revloop.engine.demo.accounts import Accounts, team_reps
from revloop.engine.demo.arrays import (
    F64,
    I64,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_MINUTE,
    US_PER_SECOND,
    Bool,
    Clock,
    datetimes,
    draw,
    first_in_segment,
    ids,
    nullable_ids,
    segment_ids,
    segmented_cumsum,
    sigmoid,
    strings,
)
from revloop.engine.demo.people import (
    BAD_DATA,
    COMPETITOR,
    CORPORATE,
    FREE_MAIL,
    PERSONA_NAMES,
    STUDENT,
    People,
)
from revloop.engine.demo.touches import REGION_OFFSET_H, ExtraTouches, PersonTouches
from revloop.engine.demo.truth import GROUND_TRUTH
from revloop.engine.demo.users import EMEA_REPS
from revloop.engine.vocabulary import Channel, LifecycleStage

STAGES: tuple[LifecycleStage, ...] = tuple(LifecycleStage)
LEAD, MQL, SAL, SQL, OPPORTUNITY, CUSTOMER, RECYCLED, DISQUALIFIED = range(len(STAGES))
REASONS: tuple[str, ...] = (
    "bad_data",
    "duplicate",
    "student",
    "competitor",
    "misinformed",
    "wrong_target",
    "no_budget",
    "not_now",
    "no_response",
    "closed_lost",
)
R = {r: i for i, r in enumerate(REASONS)}
_JUNK_KINDS = (STUDENT, COMPETITOR, BAD_DATA)

_NOTES: dict[str, tuple[str, ...]] = {
    "bad_data": ("Fake name and a dead phone number.", "Email bounced; junk form entry."),
    "duplicate": ("Duplicate of an existing contact at the same company.",),
    "student": ("Student researching a thesis, no buying intent.", "MBA class project."),
    "competitor": ("Works for a competitor.", "Competitor researching our pricing."),
    "misinformed": ("Expected features we do not have.",),
    "wrong_target": (
        "No fleet to speak of.",
        "Company too small for the platform.",
        "Not responsible for vehicles and cannot introduce us.",
        "Outside our market.",
    ),
    "no_budget": ("No budget until next fiscal year.", "Budget frozen after a reorganisation."),
    "not_now": (
        "Interested, but not before next year.",
        "Renewing with the current vendor; revisit in 12 months.",
    ),
    "no_response": ("No reply after six attempts.", "Went silent after the first call."),
    "closed_lost": ("",),
}


def _misinformed_notes() -> tuple[str, ...]:
    return tuple(
        f'Expected {a.false_promise} after reading "{a.title}". We do not offer that.'
        for a in catalog.CONTENT
        if a.false_promise
    )


NOTE_VOCABULARY: tuple[str, ...] = (
    *(note for reason in REASONS for note in _NOTES[reason]),
    *_misinformed_notes(),
)
_NOTE_OFFSET = np.cumsum([0] + [len(_NOTES[r]) for r in REASONS])
_MISINFORMED_NOTE_OFFSET = int(_NOTE_OFFSET[-1])


@dataclass(frozen=True)
class Steps:
    """Transition slots per person: creation, MQL, verdict, SQL step, opportunity step, close."""

    valid: Bool  # (n, 6)
    at: I64
    to_stage: I64
    by_user: I64
    reason: I64
    note: I64


@dataclass(frozen=True)
class Opportunities:
    """The opportunities the funnel opened, one per converting (or stuffed) person."""

    person: I64
    created: I64
    #: When the deal closes (may be after ``now``: still open).
    close: I64
    closed: Bool
    #: The deal's fate, also for open deals (whose path leads there).
    won: Bool
    stuffed: Bool
    owner: I64


@dataclass(frozen=True)
class Funnel:
    steps: Steps
    stage: I64
    stage_changed: I64
    owner: I64
    opportunities: Opportunities
    sales: ExtraTouches


class Behaviour:
    """What each person did before a moment, from their touch history."""

    def __init__(self, touches: PersonTouches, people: People, marketing_misleading: Bool):
        self._n = people.n
        self._person = touches.person
        self._time = touches.time
        t = touches.template
        self.flags: dict[str, Bool] = {
            "viewed_pricing": templates.PRICING[t],
            "requested_demo": templates.DEMO[t],
            "attended_webinar": touches.attended,
            "read_case_study": templates.CASE_STUDY[t],
            "downloaded_white_paper": templates.WHITE_PAPER[t],
        }
        self.misleading = (touches.asset >= 0) & marketing_misleading[np.maximum(touches.asset, 0)]
        self._misleading_asset = touches.asset
        # The parts of the logit that do not change with time.
        truth = GROUND_TRUTH
        channel = np.array([truth.channel_effects.get(c.value, 0.0) for c in Channel])
        persona = np.array([truth.persona_effects[p] for p in PERSONA_NAMES])
        junk = np.isin(people.kind, _JUNK_KINDS) | people.duplicate
        self._fixed: F64 = (
            truth.coefficients["icp_fit"] * people.icp
            + channel[people.source]
            + persona[people.persona]
            - truth.junk_penalty * junk
        )

    def did_before(self, flag: Bool, cutoff: I64) -> Bool:
        """Per person: did a flagged touch happen strictly before ``cutoff`` (-1: never)?"""
        mask = flag & (self._time < cutoff[self._person])
        return np.bincount(self._person[mask], minlength=self._n) > 0

    def logit(self, cutoff: I64) -> F64:
        """The ground-truth conversion logit, from behaviour before ``cutoff``."""
        eta = self._fixed.copy()
        for feature, flag in self.flags.items():
            coefficient = GROUND_TRUTH.coefficients[feature]
            if coefficient:
                eta += coefficient * self.did_before(flag, cutoff)
        return eta

    def first_misleading(self, cutoff: I64) -> I64:
        """Per person: the first misleading asset seen before ``cutoff``, or -1."""
        mask = self.misleading & (self._time < cutoff[self._person])
        first = first_in_segment(mask, self._person, self._n)
        return np.where(first >= 0, self._misleading_asset[np.maximum(first, 0)], -1)


def business_hours(rng: np.random.Generator, moments: I64, offset_h: I64) -> I64:
    """Move instants that fall outside 9-18 on weekdays (rep's time) to the next opening."""
    n = len(moments)
    local = moments + offset_h * US_PER_HOUR
    day, since_midnight = np.divmod(local, US_PER_DAY)
    opening = 9 * US_PER_HOUR + (rng.random(n) * 90 * US_PER_MINUTE).astype(np.int64)
    early = since_midnight < 9 * US_PER_HOUR
    late = since_midnight >= 18 * US_PER_HOUR
    day = np.where(late, day + 1, day)
    since_midnight = np.where(early | late, opening, since_midnight)
    weekday = (day + 3) % 7
    weekend = weekday >= 5
    day = np.where(weekend, day + 7 - weekday, day)
    since_midnight = np.where(weekend & ~(early | late), opening, since_midnight)
    return day * US_PER_DAY + since_midnight - offset_h * US_PER_HOUR


def _delay(rng: np.random.Generator, start: I64, median_days: float, sigma: float) -> I64:
    days = rng.lognormal(np.log(median_days), sigma, len(start))
    return start + np.maximum(days * US_PER_DAY, US_PER_HOUR).astype(np.int64)


class _Ledger:
    """The six transition slots of every person, filled step by step."""

    SLOTS = 6

    def __init__(self, n: int):
        self.valid = np.zeros((n, self.SLOTS), dtype=bool)
        self.at = np.zeros((n, self.SLOTS), dtype=np.int64)
        self.to_stage = np.full((n, self.SLOTS), LEAD, dtype=np.int64)
        self.by_user = np.full((n, self.SLOTS), -1, dtype=np.int64)
        self.reason = np.full((n, self.SLOTS), -1, dtype=np.int64)
        self.note = np.full((n, self.SLOTS), -1, dtype=np.int64)

    def record(
        self,
        slot: int,
        happened: Bool,
        when: I64,
        stage: I64 | int,
        *,
        by_user: I64 | int = -1,
        reason: I64 | int = -1,
        note: I64 | int = -1,
    ) -> None:
        self.valid[:, slot] = happened
        self.at[:, slot] = np.where(happened, when, 0)
        self.to_stage[:, slot] = stage
        self.by_user[:, slot] = by_user
        self.reason[:, slot] = np.where(happened, reason, -1)
        self.note[:, slot] = np.where(happened, note, -1)

    def steps(self) -> Steps:
        return Steps(self.valid, self.at, self.to_stage, self.by_user, self.reason, self.note)


@dataclass(frozen=True)
class _Team:
    """Who works each MQL, and the UTC offset of that rep's working day."""

    owner: I64
    offset_h: I64


@dataclass(frozen=True)
class _Walk:
    """What every step of the funnel needs."""

    rng: np.random.Generator
    people: People
    behaviour: Behaviour
    team: _Team
    clock: Clock
    ledger: _Ledger


def run_funnel(
    rng: np.random.Generator,
    people: People,
    touches: PersonTouches,
    *,
    accounts: Accounts,
    clock: Clock,
    misleading: Bool,
) -> Funnel:
    """Walk every person of a chunk through the lifecycle, as far as ``now`` allows."""
    ledger = _Ledger(people.n)
    ledger.record(0, np.ones(people.n, dtype=bool), touches.created, LEAD)
    mql_at = _mql(touches, people.n, clock.now)
    is_mql = mql_at >= 0
    ledger.record(1, is_mql, mql_at, MQL)
    team = _route(rng, people, accounts, is_mql)
    walk = _Walk(rng, people, Behaviour(touches, people, misleading), team, clock, ledger)
    accepted, verdict_at = _verdict(walk, mql_at)
    is_sql, sql_at = _qualify(walk, accepted, verdict_at)
    deals = _open_deals(walk, is_sql, sql_at)
    _close_deals(walk, accounts, deals)

    steps = ledger.steps()
    last = _Ledger.SLOTS - 1 - np.argmax(steps.valid[:, ::-1], axis=1)
    rows = np.arange(people.n)
    return Funnel(
        steps=steps,
        stage=steps.to_stage[rows, last],
        stage_changed=steps.at[rows, last],
        owner=team.owner,
        opportunities=deals,
        sales=_sales_touches(rng, steps, clock, deals, _first_attempts(walk, steps)),
    )


def _mql(touches: PersonTouches, n: int, now: int) -> I64:
    """When each person became an MQL (-1: not yet): the touch that crossed the threshold."""
    points = templates.POINTS[touches.template]
    points = np.where(
        touches.template == templates.WEBINAR,
        np.where(touches.attended, points, templates.WEBINAR_MISSED_POINTS),
        points,
    )
    counts = np.bincount(touches.person, minlength=n).astype(np.int64)
    running = segmented_cumsum(points, counts)
    crossing = first_in_segment(running >= GROUND_TRUTH.mql_threshold, touches.person, n)
    # Scoring runs once the person is known, so stitched anonymous history counts then.
    mql_at = np.maximum(touches.time[np.maximum(crossing, 0)], touches.created + US_PER_SECOND)
    return np.where((crossing >= 0) & (mql_at < now), mql_at, -1)


def _route(rng: np.random.Generator, people: People, accounts: Accounts, is_mql: Bool) -> _Team:
    """The account owner, else a rep of the team covering the person's region."""
    n = people.n
    has_account = people.account >= 0
    account_owner = np.where(has_account, accounts.owner[np.maximum(people.account, 0)], -1)
    first_rep, team_size = team_reps(people.region)
    round_robin = first_rep + rng.integers(0, 1 << 30, n) % team_size
    owner = np.where(is_mql, np.where(account_owner >= 0, account_owner, round_robin), -1)
    emea = np.isin(owner, EMEA_REPS)
    return _Team(owner, np.where(emea, REGION_OFFSET_H[1], REGION_OFFSET_H[0]))


def _verdict(walk: _Walk, mql_at: I64) -> tuple[Bool, I64]:
    """The rep calls the MQL and accepts it (SAL) or rejects it with a reason."""
    rng, people, behaviour, team = walk.rng, walk.people, walk.behaviour, walk.team
    n = people.n
    slow = np.isin(team.owner, GROUND_TRUTH.slow_responders)
    fast = rng.random(n) < np.where(slow, 0.35, 0.75)
    hours = np.where(
        fast,
        rng.lognormal(np.log(2.5), 0.9, n),
        rng.lognormal(np.log(np.where(slow, 40.0, 26.0)), 0.6, n),
    )
    ignored = rng.random(n) < np.where(slow, 0.15, 0.03)
    waited = np.maximum(hours * US_PER_HOUR, US_PER_MINUTE).astype(np.int64)
    verdict_at = business_hours(rng, mql_at + waited, team.offset_h)
    responded = (mql_at >= 0) & ~ignored & (verdict_at < walk.clock.now)
    verdict = _rejections(rng, people, behaviour, verdict_at)
    rejected = verdict >= 0
    walk.ledger.record(
        2,
        responded,
        verdict_at,
        np.where(rejected, _stage_of_reason(np.maximum(verdict, 0)), SAL),
        by_user=team.owner,
        reason=verdict,
        note=_notes(rng, verdict, behaviour.first_misleading(verdict_at)),
    )
    return responded & ~rejected, verdict_at


def _qualify(walk: _Walk, accepted: Bool, verdict_at: I64) -> tuple[Bool, I64]:
    """SAL → SQL after discovery, or recycled / disqualified / left waiting."""
    rng, behaviour, team = walk.rng, walk.behaviour, walk.team
    n = len(accepted)
    sql_at = business_hours(rng, _delay(rng, verdict_at, 5.0, 0.7), team.offset_h)
    p_sql = sigmoid(GROUND_TRUTH.intercepts["sal_to_sql"] + behaviour.logit(sql_at))
    u = rng.random(n)
    outcome = np.where(
        rng.random(n) < p_sql,
        SQL,
        np.where(u < 0.55, RECYCLED, np.where(u < 0.65, DISQUALIFIED, -1)),
    )
    reason = np.where(
        outcome == RECYCLED,
        _pick_reason(rng, n, (("no_response", 0.45), ("not_now", 0.35), ("no_budget", 0.2))),
        np.where(outcome == DISQUALIFIED, R["wrong_target"], -1),
    )
    happened = accepted & (sql_at < walk.clock.now) & (outcome >= 0)
    walk.ledger.record(
        3,
        happened,
        sql_at,
        outcome,
        by_user=team.owner,
        reason=reason,
        note=_notes(rng, reason, np.full(n, -1)),
    )
    return happened & (outcome == SQL), sql_at


def _open_deals(walk: _Walk, is_sql: Bool, sql_at: I64) -> Opportunities:
    """SQL → Opportunity for people with an account; stalled SQLs may be stuffed in."""
    rng, people, team, clock = walk.rng, walk.people, walk.team, walk.clock
    n = people.n
    opp_at = business_hours(rng, _delay(rng, sql_at, 8.0, 0.7), team.offset_h)
    has_account = people.account >= 0
    p_opp = sigmoid(GROUND_TRUTH.intercepts["sql_to_opportunity"] + walk.behaviour.logit(opp_at))
    u = rng.random(n)
    outcome = np.where(
        (rng.random(n) < p_opp) & has_account, OPPORTUNITY, np.where(u < 0.45, RECYCLED, -1)
    )
    reason = np.where(
        outcome == RECYCLED, _pick_reason(rng, n, (("not_now", 0.6), ("no_budget", 0.4))), -1
    )
    decided = is_sql & (opp_at < clock.now) & (outcome >= 0)
    stalled = is_sql & ~decided & has_account
    stuffed_at = _quarter_end_burst(rng, sql_at, clock)
    stuff_rate = np.full(n, GROUND_TRUTH.stuffing_rate)
    for rep, rate in GROUND_TRUTH.pipeline_stuffers.items():
        stuff_rate[team.owner == rep] = rate
    stuffed = stalled & (rng.random(n) < stuff_rate) & (stuffed_at < clock.now)

    when = np.where(stuffed, stuffed_at, opp_at)
    stage = np.where(stuffed, OPPORTUNITY, outcome)
    reason = np.where(stuffed, -1, reason)
    walk.ledger.record(
        4,
        decided | stuffed,
        when,
        stage,
        by_user=team.owner,
        reason=reason,
        note=_notes(rng, reason, np.full(n, -1)),
    )
    opened = np.flatnonzero((decided | stuffed) & (stage == OPPORTUNITY))
    return Opportunities(
        person=opened,
        created=when[opened],
        close=np.zeros(len(opened), dtype=np.int64),
        closed=np.zeros(len(opened), dtype=bool),
        won=np.zeros(len(opened), dtype=bool),
        stuffed=stuffed[opened],
        owner=team.owner[opened],
    )


def _quarter_end_burst(rng: np.random.Generator, after: I64, clock: Clock) -> I64:
    """A moment in the last days of the first quarter that ends a little after ``after``."""
    n = len(after)
    ends = clock.quarter_ends()
    q = np.minimum(np.searchsorted(ends, after + 3 * US_PER_DAY, side="right"), len(ends) - 2)
    before_end = (rng.uniform(0.3, 8.0, n) * US_PER_DAY).astype(np.int64)
    at = ends[q] - before_end
    return np.where(at <= after + US_PER_DAY, ends[q + 1] - before_end, at)


def _close_deals(walk: _Walk, accounts: Accounts, deals: Opportunities) -> None:
    """Won or lost after a cycle that grows with company size; stuffed deals mostly rot.

    Fills the outcome arrays of ``deals`` in place (:func:`_open_deals` leaves them
    empty) and records Customer or Recycled for the people.
    """
    rng, people, team = walk.rng, walk.people, walk.team
    n = people.n
    who = deals.person
    has_deal = np.zeros(n, dtype=bool)
    has_deal[who] = True
    stuffed = np.zeros(n, dtype=bool)
    stuffed[who] = deals.stuffed
    created = np.zeros(n, dtype=np.int64)
    created[who] = deals.created
    has_account = people.account >= 0
    employees = np.where(has_account, accounts.employees[np.maximum(people.account, 0)], 50)
    cycle_days = rng.lognormal(np.log(35.0 * (employees / 300.0) ** 0.15), 0.5, n)
    life = np.where(stuffed, rng.uniform(100, 240, n), cycle_days)
    close = business_hours(rng, created + (life * US_PER_DAY).astype(np.int64), team.offset_h)
    p_win = np.where(
        stuffed,
        0.03,
        sigmoid(GROUND_TRUTH.intercepts["opportunity_to_won"] + walk.behaviour.logit(close)),
    )
    won = (rng.random(n) < p_win) & (people.kind == CORPORATE)
    # Most stuffed deals are never closed: they rot in the pipeline.
    closed = has_deal & (close < walk.clock.now) & (~stuffed | won | (rng.random(n) < 0.45))
    walk.ledger.record(
        5,
        closed,
        close,
        np.where(won, CUSTOMER, RECYCLED),
        by_user=team.owner,
        reason=np.where(won, -1, R["closed_lost"]),
    )
    deals.close[:] = close[who]
    deals.closed[:] = closed[who]
    deals.won[:] = won[who]


def _stage_of_reason(reason: I64) -> I64:
    table = np.array([STAGES.index(LifecycleStage(GROUND_TRUTH.reason_stage[r])) for r in REASONS])
    return table[reason]


def _pick_reason(rng: np.random.Generator, n: int, options: tuple[tuple[str, float], ...]) -> I64:
    codes = np.array([R[name] for name, _ in options])
    return codes[draw(rng, np.array([w for _, w in options]), n)]


def _rejections(
    rng: np.random.Generator, people: People, behaviour: Behaviour, verdict_at: I64
) -> I64:
    """The rep's reason to reject each MQL, or -1 to accept; first reason that fires wins."""
    n = people.n
    p = GROUND_TRUTH.rejection
    exposed = behaviour.did_before(behaviour.misleading, verdict_at)
    odds = GROUND_TRUTH.wrong_target
    wrong_target = np.where(
        people.kind == FREE_MAIL,
        odds["free_mail"],
        np.where(people.icp, odds["icp"], odds["non_icp"]),
    )
    triggers = (
        ("bad_data", p["bad_data"] * (people.kind == BAD_DATA)),
        ("duplicate", p["duplicate"] * people.duplicate),
        ("student", p["student"] * (people.kind == STUDENT)),
        ("competitor", p["competitor"] * (people.kind == COMPETITOR)),
        ("misinformed", np.where(exposed, p["misinformed"], GROUND_TRUTH.misinformed_unexposed)),
        ("wrong_target", wrong_target),
        ("no_budget", np.full(n, p["no_budget"])),
    )
    verdict = np.full(n, -1, dtype=np.int64)
    for name, probability in triggers:
        fires = (verdict < 0) & (rng.random(n) < probability)
        verdict[fires] = R[name]
    return verdict


def _notes(rng: np.random.Generator, why: I64, misled_by: I64) -> I64:
    """A note for each reason; misinformed notes name the promise that misled."""
    safe = np.maximum(why, 0)
    sizes = np.diff(_NOTE_OFFSET)[safe]
    generic = _NOTE_OFFSET[:-1][safe] + (rng.random(len(why)) * sizes).astype(np.int64)
    misleading_index = np.cumsum([bool(a.false_promise) for a in catalog.CONTENT]) - 1
    specific = _MISINFORMED_NOTE_OFFSET + misleading_index[np.maximum(misled_by, 0)]
    use_specific = (why == R["misinformed"]) & (misled_by >= 0)
    return np.where(why < 0, -1, np.where(use_specific, specific, generic))


def _first_attempts(walk: _Walk, steps: Steps) -> tuple[I64, I64]:
    """The call each verdict rests on: (person, when), for the leads that got one.

    Most reps call an MQL before they accept or reject it. Some accept on what they
    read and call later, or never; slow responders do that far more often, and their
    first-touch promise is missed even when the verdict came in time.
    """
    # A stream of its own, jumped from the chunk's: the rest of the company stays as it was.
    bits = walk.rng.bit_generator
    assert isinstance(bits, np.random.PCG64)  # the generator's default_rng
    rng = np.random.Generator(bits.jumped())
    team, clock = walk.team, walk.clock
    n = len(team.owner)
    mql_at, verdict_at = steps.at[:, 1], steps.at[:, 2]
    decided = steps.valid[:, 2]
    accepted = decided & (steps.to_stage[:, 2] == SAL)
    slow = np.isin(team.owner, GROUND_TRUTH.slow_responders)
    first = rng.random(n) < np.where(slow, 0.5, 0.9)
    # The call comes soon after the lead arrives, and at the latest just before the verdict.
    soon = rng.lognormal(np.log(np.where(slow, 6.0, 1.0)), 0.9, n)
    early = business_hours(rng, mql_at + (soon * US_PER_HOUR).astype(np.int64), team.offset_h)
    before = np.maximum(
        np.minimum(early, verdict_at - ((5 + rng.random(n) * 40) * US_PER_MINUTE).astype(np.int64)),
        mql_at + US_PER_MINUTE,
    )
    hours = rng.lognormal(np.log(np.where(slow, 30.0, 10.0)), 0.7, n)
    later = business_hours(rng, verdict_at + (hours * US_PER_HOUR).astype(np.int64), team.offset_h)
    never = rng.random(n) < np.where(slow, 0.4, 0.25)
    when = np.where(first, before, later)
    # A rejection rests on a call or on nothing; only an accepted lead is called afterwards.
    called = decided & (first | (accepted & ~never)) & (when < clock.now)
    person = np.flatnonzero(called)
    return person, when[person]


def _sales_touches(
    rng: np.random.Generator,
    steps: Steps,
    clock: Clock,
    deals: Opportunities,
    first_attempts: tuple[I64, I64],
) -> ExtraTouches:
    """The first call, calls after acceptance, meetings after SQL, activity on the deals
    that are worked."""
    window = 21 * US_PER_DAY
    sal = steps.valid[:, 2] & (steps.to_stage[:, 2] == SAL)
    sal_at = steps.at[:, 2]
    after_sal = np.where(steps.valid[:, 3], steps.at[:, 3], sal_at + window)
    sql = steps.valid[:, 3] & (steps.to_stage[:, 3] == SQL)
    sql_at = steps.at[:, 3]
    after_sql = np.where(steps.valid[:, 4], steps.at[:, 4], sql_at + window)
    # Stuffed deals are the ones nobody works: no activity after they are created.
    worked = deals.person[~deals.stuffed]
    deal_start = steps.at[worked, 4]
    deal_end = np.minimum(deals.close[~deals.stuffed], clock.now)
    deal_days = np.maximum(deal_end - deal_start, 0) / US_PER_DAY
    parts = (
        (
            np.flatnonzero(sal),
            sal_at[sal],
            np.minimum(after_sal, sal_at + window)[sal],
            1 + rng.poisson(1.0, int(sal.sum())),
            1.0,
        ),
        (
            np.flatnonzero(sql),
            sql_at[sql],
            np.minimum(after_sql, sql_at + window)[sql],
            1 + rng.poisson(0.6, int(sql.sum())),
            0.0,
        ),
        (worked, deal_start, deal_end, np.minimum(rng.poisson(deal_days / 9.0), 20), 0.5),
    )
    first_person, first_at = first_attempts
    people_out = [first_person]
    times_out = [first_at]
    templates_out = [np.full(len(first_person), templates.SALES_CALL, dtype=np.int64)]
    for person, start, end, wanted, call_share in parts:
        count = np.where(end > start + 1, wanted, 0).astype(np.int64)
        row = segment_ids(count)
        span = (end - start)[row] - 1
        when = start[row] + 1 + (rng.random(len(row)) * span).astype(np.int64)
        kind = np.where(
            rng.random(len(row)) < call_share, templates.SALES_CALL, templates.SALES_MEETING
        )
        keep = when < clock.now
        people_out.append(person[row][keep])
        times_out.append(when[keep])
        templates_out.append(kind[keep].astype(np.int64))
    return ExtraTouches(
        np.concatenate(people_out), np.concatenate(times_out), np.concatenate(templates_out)
    )


def transition_frame(funnel: Funnel, first_id: int, first_person_id: int) -> pl.DataFrame:
    """The ``lifecycle_stagetransition`` rows, by person then time."""
    steps = funnel.steps
    person, slot = np.nonzero(steps.valid)
    to_stage = steps.to_stage[person, slot]
    # Each slot follows the success path, so the stage before it is fixed.
    success_from = np.array([-1, LEAD, MQL, SAL, SQL, OPPORTUNITY])
    from_stage = success_from[slot]
    by_rule = np.select([slot == 0, slot == 1], [0, 1], default=-1)
    stage_values = tuple(s.value for s in STAGES)
    return pl.DataFrame(
        [
            ids(first_id, len(person)),
            pl.Series("person_id", person + first_person_id),
            strings(stage_values, from_stage, "from_stage"),
            strings(stage_values, to_stage, "to_stage"),
            datetimes(steps.at[person, slot], "at"),
            nullable_ids(np.where(slot >= 2, steps.by_user[person, slot], -1), "by_user_id"),
            strings(("created", "mql_threshold"), by_rule, "by_rule"),
            strings(REASONS, steps.reason[person, slot], "reason_code"),
            strings(NOTE_VOCABULARY, steps.note[person, slot], "note"),
        ]
    )
