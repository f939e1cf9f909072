"""Touch rows decided from normalized touches and what the database knows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import polars as pl

from revloop.engine.touch_rows import TOUCH_INPUT, TouchLookups, identity_links, touch_rows

T = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _touches(*rows: dict[str, Any]) -> pl.DataFrame:
    blank: dict[str, Any] = dict.fromkeys(TOUCH_INPUT, "")
    blank |= {"occurred_at": T, "content_id": None, "properties": "{}", "type": "page_view"}
    return pl.DataFrame(
        [blank | {"row": i, "event_id": f"e{i}"} | r for i, r in enumerate(rows)],
        schema=TOUCH_INPUT,
    )


def test_the_person_comes_from_the_email_else_the_anonymous_id() -> None:
    touches = _touches(
        {"canonical_email": "ada@x.example", "anonymous_id": "a1"},
        {"anonymous_id": "a2"},
        {"anonymous_id": "a3"},
    )
    rows = touch_rows(touches, TouchLookups(people={"ada@x.example": 7}, anonymous={"a2": 9}))
    assert rows.frame.get_column("person_id").to_list() == [7, 9, None]


def test_an_anonymous_id_is_linked_to_the_first_email_it_comes_with() -> None:
    touches = _touches(
        {"canonical_email": "ada@x.example", "anonymous_id": "a1"},
        {"canonical_email": "bob@x.example", "anonymous_id": "a1"},
        {"anonymous_id": "a2"},
    )
    assert identity_links(touches) == {"a1": "ada@x.example"}


def test_campaign_by_name_else_utm_and_utm_kept_as_sent() -> None:
    touches = _touches(
        {"campaign": "Spring", "utm_campaign": "spring-26"},
        {"utm_campaign": "spring-26"},
        {"campaign": "Autumn"},
    )
    rows = touch_rows(
        touches, TouchLookups(people={}, campaigns={"Spring": 1, "spring-26": 1, "Autumn": 2})
    )
    assert rows.frame.get_column("campaign_id").to_list() == [1, 1, 2]
    assert rows.frame.get_column("utm_campaign").to_list() == ["spring-26", "spring-26", "Autumn"]


def test_unknown_content_is_kept_in_properties_with_a_warning() -> None:
    touches = _touches(
        {"content_id": 5},
        {"content_id": 6, "properties": '{"k": 1}'},
        {"content": "Guide"},
        {"content": "Lost"},
    )
    rows = touch_rows(touches, TouchLookups(people={}, content={"Guide": 3}, content_ids={5}))
    assert rows.frame.get_column("content_id").to_list() == [5, None, 3, None]
    properties = [json.loads(p) for p in rows.frame.get_column("properties")]
    assert properties == [{}, {"k": 1, "content_id": 6}, {}, {"content": "Lost"}]
    assert [(w.row, w.field, w.value) for w in rows.warnings] == [
        (1, "content_id", "6"),
        (3, "content", "Lost"),
    ]
