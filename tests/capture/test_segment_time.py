"""Segment's clock-skew correction: whatever the device clock says, the delay is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from revloop.capture.segment import event_time

RECEIVED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
skews = st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400))
delays = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))


@given(skew=skews, delay=delays)
def test_the_device_clock_error_cancels_out(skew: timedelta, delay: timedelta) -> None:
    # The event happened `delay` before it arrived; the device clock is off by `skew`.
    happened = RECEIVED - delay
    message = {"originalTimestamp": (happened + skew).isoformat()}
    sent_at = RECEIVED + skew
    assert event_time(message, RECEIVED, sent_at) == happened


@given(skew=skews)
def test_an_explicit_timestamp_is_kept(skew: timedelta) -> None:
    message = {"timestamp": "2026-01-05T08:00:00+02:00", "originalTimestamp": RECEIVED.isoformat()}
    expected = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    assert event_time(message, RECEIVED, RECEIVED + skew) == expected


def test_without_any_time_the_message_happened_when_it_arrived() -> None:
    assert event_time({}, RECEIVED, None) == RECEIVED
    assert event_time({"sentAt": "2020-01-01T00:00:00Z"}, RECEIVED, None) == RECEIVED


def test_a_message_sent_at_overrides_the_batch_one() -> None:
    message = {"originalTimestamp": "2026-03-02T11:00:00Z", "sentAt": "2026-03-02T11:30:00Z"}
    later_batch = RECEIVED + timedelta(hours=5)
    assert event_time(message, RECEIVED, later_batch) == RECEIVED - timedelta(minutes=30)
