"""Bulk writes store exactly what the frame holds, on SQLite and on PostgreSQL (COPY).

Text of every kind (quotes, tabs, newlines, backslashes, non-ASCII, empty strings),
None, Decimal, dates and aware datetimes in any zone go in through ``insert_frame``
and ``update_from_frame`` and come back equal.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import polars as pl
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revloop.activity.models import Campaign, Touch
from revloop.core.bulk import bulk_session, insert_frame, insert_frame_returning, update_from_frame
from revloop.people.models import Person

pytestmark = pytest.mark.django_db

# PostgreSQL's text cannot hold NUL; the doors refuse it (see core/nul.py and CleanText).
_NO_NUL = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_TRICKY = st.sampled_from(['"', "'", "\t", "\n", "\r\n", "\\", "\\N", ",", "é", "日本", "🙂", ""])
text = st.lists(st.one_of(st.text(_NO_NUL, max_size=12), _TRICKY), max_size=4).map("".join)
budgets = st.none() | st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
moments = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)
_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _fresh() -> None:
    # Hypothesis reuses the test's transaction across examples: start each one empty.
    Touch.objects.all().delete()
    Campaign.objects.all().delete()


@_SETTINGS
@given(
    rows=st.lists(
        st.tuples(text, budgets, st.none() | st.dates(date(1900, 1, 1), date(2999, 12, 31))),
        min_size=1,
        max_size=8,
    )
)
def test_text_decimals_dates_and_none_round_trip(
    rows: list[tuple[str, Decimal | None, date | None]],
) -> None:
    _fresh()
    frame = pl.DataFrame(
        {
            "name": [f"c{n}" for n in range(len(rows))],
            "utm_campaign": [value for value, _, _ in rows],
            "budget": [budget for _, budget, _ in rows],
            "started_on": [day for _, _, day in rows],
            "channel": "email",
        },
        schema_overrides={
            "budget": pl.Decimal(14, 2),
            "started_on": pl.Date,
            "utm_campaign": pl.String,
        },
    )
    assert insert_frame(Campaign, frame) == len(rows)
    stored = list(
        Campaign.objects.order_by("name").values_list("utm_campaign", "budget", "started_on")
    )
    expected = sorted(zip([f"c{n}" for n in range(len(rows))], rows, strict=True))
    assert stored == [row for _, row in expected]


@_SETTINGS
@given(rows=st.lists(st.tuples(text, moments, st.dictionaries(text, text, max_size=2)), max_size=6))
def test_aware_datetimes_and_json_round_trip(
    rows: list[tuple[str, datetime, dict[str, str]]],
) -> None:
    _fresh()
    frame = pl.DataFrame(
        {
            "event_id": [f"e{n}" for n in range(len(rows))],
            "url": [url for url, _, _ in rows],
            "occurred_at": [at.astimezone(UTC) for _, at, _ in rows],
            "type": "page_view",
            "properties": [json.dumps(p, ensure_ascii=False) for *_, p in rows],
        },
        schema_overrides={
            "occurred_at": pl.Datetime("us", "UTC"),
            "url": pl.String,
            "properties": pl.String,
        },
    )
    assert insert_frame(Touch, frame, skip_conflicts_on="event_id") == len(rows)
    stored = {t.event_id: (t.url, t.occurred_at, t.properties) for t in Touch.objects.all()}
    assert stored == {f"e{n}": row for n, row in enumerate(rows)}


def _touches(*event_ids: str, url: str = "") -> pl.DataFrame:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    return pl.DataFrame(
        {"event_id": list(event_ids), "occurred_at": at, "type": "page_view", "url": url},
        schema_overrides={"occurred_at": pl.Datetime("us", "UTC"), "event_id": pl.String},
    )


def test_keys_already_stored_or_repeated_are_skipped_and_the_first_row_of_a_key_wins() -> None:
    insert_frame(Touch, _touches("a", "b", url="old"))

    count = insert_frame(
        Touch,
        pl.concat([_touches("b", "c", url="new"), _touches("c", "d", url="later")]),
        skip_conflicts_on="event_id",
    )

    assert count == 2
    assert dict(Touch.objects.values_list("event_id", "url")) == {
        "a": "old",
        "b": "old",
        "c": "new",
        "d": "later",
    }


def test_returning_names_only_the_rows_this_call_inserted() -> None:
    insert_frame(Touch, _touches("a"))
    with transaction.atomic():
        written = insert_frame_returning(
            Touch,
            _touches("a", "b", "b", "c"),
            skip_conflicts_on="event_id",
            returning=("event_id",),
        )
    assert sorted(event_id for (event_id,) in written) == ["b", "c"]
    assert Touch.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite arbitrates on the key only")
def test_a_clash_on_another_unique_index_skips_the_row_instead_of_failing() -> None:
    # A parallel batch may store the same mailbox under another identity key; the
    # case-insensitive e-mail index then decides, and the row is skipped, not an error.
    def people(emails: list[str], keys: list[str]) -> pl.DataFrame:
        at = datetime(2026, 3, 1, tzinfo=UTC)
        return pl.DataFrame(
            {"email": emails, "email_key": keys, "stage_changed_at": at, "created_at": at}
        )

    insert_frame(Person, people(["Ann@acme.example"], ["key-1"]))
    frame = people(["ann@acme.example", "bo@acme.example"], ["key-2", "key-3"])
    with transaction.atomic():
        written = insert_frame_returning(
            Person, frame, skip_conflicts_on="email_key", returning=["email_key"]
        )
    assert written == [("key-3",)]
    assert sorted(Person.objects.values_list("email_key", flat=True)) == ["key-1", "key-3"]


@_SETTINGS
@given(values=st.lists(text, min_size=1, max_size=6))
def test_update_from_frame_writes_each_rows_value(values: list[str]) -> None:
    _fresh()
    ids = [Campaign.objects.create(name=f"c{n}", channel="email").pk for n in range(len(values))]
    frame = pl.DataFrame({"id": ids, "label": values}, schema={"id": pl.Int64, "label": pl.String})
    with transaction.atomic():
        updated = update_from_frame(
            Campaign._meta.db_table,
            frame,
            assignments={"utm_campaign": "s.label", "currency": "%s"},
            constants=["EUR"],
            returning=True,
        )
    assert sorted(updated) == sorted(ids)
    stored = dict(Campaign.objects.values_list("id", "utm_campaign"))
    assert stored == dict(zip(ids, values, strict=True))
    assert set(Campaign.objects.values_list("currency", flat=True)) == {"EUR"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores a NUL")
def test_a_nul_in_text_is_refused_naming_the_column_on_postgresql() -> None:
    with pytest.raises(ValueError, match="url"):
        insert_frame(Touch, _touches("a", url="bad\x00url"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's bulk path is COPY")
def test_a_bulk_session_keeps_writes_safe_and_puts_the_settings_back() -> None:
    def pragma(name: str) -> object:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return cursor.fetchone()[0]

    names = ("cache_size", "temp_store", "wal_autocheckpoint", "synchronous", "journal_mode")
    before = {name: pragma(name) for name in names}
    with bulk_session():
        inside = {name: pragma(name) for name in names}
        insert_frame(Touch, _touches("a"))
    assert (inside["wal_autocheckpoint"], inside["cache_size"]) == (65_536, -262_144)
    # Durability settings are never loosened for speed.
    assert (inside["synchronous"], inside["journal_mode"]) == (
        before["synchronous"],
        before["journal_mode"],
    )
    assert {name: pragma(name) for name in names} == before
    assert Touch.objects.filter(event_id="a").exists()
