"""The SLA clock-stop rules: what each event does to each of Sales' three promises.

One function decides for the live clocks and for the replayed history alike; these
tests are its specification, clock by clock and event by event.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.sla.stops import (
    ATTEMPTS_MADE,
    Attempt,
    Clock,
    ClockEvent,
    Effect,
    EventKind,
    attempt_of_touch,
    effect,
    event_of_move,
    event_of_touch,
    kept_reasons,
    real_attempt_reasons,
    releases_rep,
    replay,
)

T0 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def attempt(how: str, at: dt.datetime = T0) -> ClockEvent:
    return ClockEvent(EventKind.CONTACT_ATTEMPT, at, attempt=Attempt(how))


def accepted(at: dt.datetime = T0) -> ClockEvent:
    return ClockEvent(EventKind.ACCEPTED, at)


def rejected(at: dt.datetime = T0) -> ClockEvent:
    return ClockEvent(EventKind.REJECTED, at, to_stage="recycled")


def left(stage: str, at: dt.datetime = T0) -> ClockEvent:
    return ClockEvent(EventKind.LEFT_QUEUE, at, to_stage=stage)


def click(at: dt.datetime = T0) -> ClockEvent:
    return ClockEvent(EventKind.MARKETING_TOUCH, at)


RUNS_ON = Effect()


# --- first touch: only a real contact attempt keeps it ---------------------------------


@pytest.mark.parametrize("how", ["call", "email", "meeting"])
def test_a_call_email_or_meeting_keeps_the_first_touch_promise(how: str) -> None:
    assert effect(Clock.FIRST_TOUCH, attempt(how)) == Effect(
        stops=True, reason=f"touched_{how}", keeps=True
    )


def test_accepting_does_not_stop_the_first_touch_clock() -> None:
    assert effect(Clock.FIRST_TOUCH, accepted()) == RUNS_ON


def test_a_marketing_touch_does_not_stop_the_first_touch_clock() -> None:
    assert effect(Clock.FIRST_TOUCH, click()) == RUNS_ON


def test_rejecting_ends_the_first_touch_promise_without_keeping_it() -> None:
    assert effect(Clock.FIRST_TOUCH, rejected()) == Effect(stops=True, reason="rejected")


def test_leaving_the_queue_ends_the_first_touch_promise_without_keeping_it() -> None:
    assert effect(Clock.FIRST_TOUCH, left("sql")) == Effect(stops=True, reason="moved_to_sql")


@pytest.mark.parametrize("kind", [EventKind.REASSIGNED, EventKind.MERGED])
def test_changing_hands_ends_the_first_touch_promise(kind: EventKind) -> None:
    assert effect(Clock.FIRST_TOUCH, ClockEvent(kind, T0)) == Effect(stops=True, reason=kind.value)


# --- accept or reject: the verdict keeps it ----------------------------------------------


def test_accepting_keeps_the_accept_or_reject_promise() -> None:
    assert effect(Clock.ACCEPT_OR_REJECT, accepted()) == Effect(
        stops=True, reason="accepted", keeps=True
    )


def test_rejecting_keeps_the_accept_or_reject_promise() -> None:
    assert effect(Clock.ACCEPT_OR_REJECT, rejected()) == Effect(
        stops=True, reason="rejected", keeps=True
    )


@pytest.mark.parametrize("how", ["call", "email", "meeting"])
def test_a_contact_attempt_is_no_verdict(how: str) -> None:
    assert effect(Clock.ACCEPT_OR_REJECT, attempt(how)) == RUNS_ON


def test_a_marketing_touch_is_no_verdict() -> None:
    assert effect(Clock.ACCEPT_OR_REJECT, click()) == RUNS_ON


def test_leaving_the_queue_or_changing_hands_ends_the_accept_or_reject_promise() -> None:
    for event in (left("disqualified"), ClockEvent(EventKind.REASSIGNED, T0)):
        result = effect(Clock.ACCEPT_OR_REJECT, event)
        assert result.stops
        assert not result.keeps


# --- attempts: each contact attempt counts, the last one keeps it ------------------------


@pytest.mark.parametrize("how", ["call", "email", "meeting"])
def test_a_contact_attempt_counts_on_the_attempts_clock_without_stopping_it(how: str) -> None:
    assert effect(Clock.ATTEMPTS, attempt(how)) == Effect(attempt=True)


def test_accepting_and_marketing_touches_are_no_attempts() -> None:
    assert effect(Clock.ATTEMPTS, accepted()) == RUNS_ON
    assert effect(Clock.ATTEMPTS, click()) == RUNS_ON


def test_rejecting_ends_the_attempts_promise_without_keeping_it() -> None:
    assert effect(Clock.ATTEMPTS, rejected()) == Effect(stops=True, reason="rejected")


def test_the_attempts_clock_stops_when_the_contracts_number_is_made() -> None:
    events = [attempt("call", T0 + n * HOUR) for n in range(4)]
    outcome = replay(Clock.ATTEMPTS, events, attempts_needed=3)
    assert (outcome.stopped_at, outcome.reason, outcome.keeps, outcome.attempts_done) == (
        T0 + 2 * HOUR,
        ATTEMPTS_MADE,
        True,
        3,
    )


# --- the whole table, once: every clock against every event ------------------------------

EVENTS = [
    attempt("call"),
    attempt("email"),
    attempt("meeting"),
    click(),
    accepted(),
    rejected(),
    left("sql"),
    ClockEvent(EventKind.REASSIGNED, T0),
    ClockEvent(EventKind.MERGED, T0),
]

#: (stops, keeps) for first touch, attempts, accept or reject.
TABLE = {
    "touched_call": ((True, True), (False, False), (False, False)),
    "touched_email": ((True, True), (False, False), (False, False)),
    "touched_meeting": ((True, True), (False, False), (False, False)),
    "click": ((False, False), (False, False), (False, False)),
    "accepted": ((False, False), (False, False), (True, True)),
    "rejected": ((True, False), (True, False), (True, True)),
    "moved_to_sql": ((True, False), (True, False), (True, False)),
    "reassigned": ((True, False), (True, False), (True, False)),
    "merged": ((True, False), (True, False), (True, False)),
}


def test_every_clock_against_every_event() -> None:
    clocks = (Clock.FIRST_TOUCH, Clock.ATTEMPTS, Clock.ACCEPT_OR_REJECT)
    for event, (name, expected) in zip(EVENTS, TABLE.items(), strict=True):
        got = tuple((effect(c, event).stops, effect(c, event).keeps) for c in clocks)
        assert got == expected, name


def test_kept_reasons_follow_the_rule() -> None:
    assert kept_reasons(Clock.FIRST_TOUCH) == real_attempt_reasons()
    assert real_attempt_reasons() == {"touched_call", "touched_email", "touched_meeting"}
    assert kept_reasons(Clock.ACCEPT_OR_REJECT) == {"accepted", "rejected"}
    assert kept_reasons(Clock.ATTEMPTS) == {ATTEMPTS_MADE}


# --- what a stage move or a synced touch is -----------------------------------------------


def test_stage_moves_as_clock_events() -> None:
    assert event_of_move("mql", "sal", T0, by_user=True) == accepted()
    assert event_of_move("mql", "recycled", T0, by_user=True) == rejected()
    assert event_of_move("mql", "recycled", T0, by_user=False) == left("recycled")
    assert event_of_move("sal", "sql", T0, by_user=True) == left("sql")
    assert event_of_move("sal", "recycled", T0, by_user=True) == left("recycled")
    assert event_of_move("lead", "mql", T0, by_user=False) is None
    assert event_of_move("sql", "opportunity", T0, by_user=True) is None


def test_a_lead_sent_back_leaves_its_rep_and_a_lead_moved_forward_keeps_them() -> None:
    assert releases_rep(rejected())
    assert releases_rep(left("disqualified"))
    assert releases_rep(left("lead"))
    assert not releases_rep(left("sql"))
    assert not releases_rep(accepted())
    assert not releases_rep(attempt("call"))


@pytest.mark.parametrize(
    ("touch_type", "channel", "expected"),
    [
        ("call", "", Attempt.CALL),
        ("call", "sales_outreach", Attempt.CALL),
        ("meeting", "events", Attempt.MEETING),
        ("email_open", "sales_outreach", Attempt.EMAIL),
        ("email_click", "sales_outreach", Attempt.EMAIL),
        ("email_click", "email", None),
        ("email_open", "email", None),
        ("page_view", "sales_outreach", None),
        ("form_submit", "", None),
        ("webinar", "webinars", None),
        ("chat", "", None),
    ],
)
def test_which_synced_touches_are_contact_attempts(
    touch_type: str, channel: str, expected: Attempt | None
) -> None:
    assert attempt_of_touch(touch_type, channel) == expected


def test_a_marketing_email_click_stops_no_clock() -> None:
    event = event_of_touch("email_click", "email", T0)
    assert event.kind is EventKind.MARKETING_TOUCH
    assert not any(effect(clock, event).stops for clock in Clock)


def test_a_contact_attempt_names_how_sales_reached_out() -> None:
    with pytest.raises(ValueError, match="names how Sales reached out"):
        ClockEvent(EventKind.CONTACT_ATTEMPT, T0)
    with pytest.raises(ValueError, match="names how Sales reached out"):
        ClockEvent(EventKind.ACCEPTED, T0, attempt=Attempt.CALL)
    with pytest.raises(ValueError, match="names the stage"):
        ClockEvent(EventKind.LEFT_QUEUE, T0)


# --- replaying a history -------------------------------------------------------------------


def test_a_rep_who_accepts_and_never_calls_leaves_the_first_touch_clock_running() -> None:
    outcome = replay(Clock.FIRST_TOUCH, [accepted(T0 + HOUR), click(T0 + 2 * HOUR)])
    assert (outcome.stopped_at, outcome.reason, outcome.keeps) == (None, "", False)


def test_the_first_call_after_accepting_is_the_first_touch() -> None:
    history = [attempt("call", T0 + 30 * HOUR), accepted(T0 + HOUR)]
    outcome = replay(Clock.FIRST_TOUCH, history)
    assert (outcome.stopped_at, outcome.reason) == (T0 + 30 * HOUR, "touched_call")
    decided = replay(Clock.ACCEPT_OR_REJECT, history)
    assert (decided.stopped_at, decided.reason) == (T0 + HOUR, "accepted")


def test_a_rejection_before_any_call_ends_every_promise_there() -> None:
    history = [rejected(T0 + HOUR), attempt("call", T0 + 2 * HOUR)]
    for clock in Clock:
        assert replay(clock, history, attempts_needed=3).stopped_at == T0 + HOUR


_kinds = st.sampled_from(
    [attempt("call"), attempt("meeting"), click(), accepted(), rejected(), left("sql")]
)


@given(
    st.lists(st.tuples(_kinds, st.integers(0, 500)), max_size=12),
    st.sampled_from(list(Clock)),
    st.randoms(),
)
def test_replay_does_not_depend_on_the_order_events_are_given_in(
    raw: list[tuple[ClockEvent, int]], clock: Clock, rnd: object
) -> None:
    # Distinct moments: ties are taken in the order given, which is the caller's to set.
    events = [
        ClockEvent(e.kind, T0 + dt.timedelta(minutes=10 * i + m % 10), e.attempt, e.to_stage)
        for i, (e, m) in enumerate(raw)
    ]
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert replay(clock, events, attempts_needed=2) == replay(clock, shuffled, attempts_needed=2)


@given(st.lists(_kinds, max_size=10), st.sampled_from(list(Clock)))
def test_a_replayed_clock_stops_at_the_first_event_that_stops_it(
    kinds: list[ClockEvent], clock: Clock
) -> None:
    events = [ClockEvent(e.kind, T0 + i * HOUR, e.attempt, e.to_stage) for i, e in enumerate(kinds)]
    outcome = replay(clock, events, attempts_needed=10)
    first = next((e for e in events if effect(clock, e).stops), None)
    assert outcome.stopped_at == (first.at if first else None)
