"""The batch touch validator gives exactly what validating each row on its own gives."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from revloop.engine.imports.formats import Entity, bind
from revloop.engine.imports.rows import RowValidator
from revloop.engine.imports.touch_batch import _fast_frame, _slowly, validate_touch_rows

HEADER = (
    "event_id",
    "occurred_at",
    "type",
    "email",
    "anonymous_id",
    "channel",
    "campaign",
    "url",
    "utm_source",
    "Browser",
)

TIMES = st.sampled_from(
    [
        "2026-03-05T14:02:03+01:00",
        "2026-03-05 14:02:03Z",
        "2026-03-05T14:02:03.5-05:30",
        "2026-03-05T14:02:03.123456+00:00",
        "2026-02-30T10:00:00+00:00",
        "2026-03-05T24:00:00+00:00",
        "2026-03-05T10:00:60+00:00",
        "0000-01-01T00:00:00+00:00",
        "2026-03-05",
        "2026-03-05T14:02",
        "03/05/2026 2:02 PM",
        "5.3.2026",
        "yesterday",
        "",
        " 2026-03-05T14:02:03+01:00\t",
    ]
)
TYPES = st.sampled_from(["page_view", "Page View", "pageview", "form", "EMAIL_OPEN", "", "bogus"])
CHANNELS = st.sampled_from(["", "email", "cpc", "Paid Search", "carrier pigeon"])
EMAILS = st.sampled_from(
    [
        "",
        "Ada@Example.com",
        "ada+news@gmail.com",
        "a.d.a@googlemail.com",
        " bob@example.org ",
        "josé@exämple.com",
        "not-an-email",
        "'=cmd|' /C calc'!A0",
        "x@y",
        "a" * 300 + "@example.com",
    ]
)
TEXT = st.sampled_from(["", "spring", "x" * 129, "'=1+1", "'@SUM(A1)", "\u00a0padded\u00a0", "é"])


@st.composite
def rows(draw: st.DrawFn) -> tuple[int, tuple[str, ...]]:
    values = (
        draw(TEXT | st.sampled_from(["e-1", "e-2"])),
        draw(TIMES),
        draw(TYPES),
        draw(EMAILS),
        draw(TEXT),
        draw(CHANNELS),
        draw(TEXT),
        draw(TEXT | st.text(max_size=5)),
        draw(TEXT),
        draw(TEXT),
    )
    return 0, values


@settings(max_examples=150, deadline=None)
@given(st.lists(rows(), min_size=1, max_size=30))
def test_batch_equals_row_by_row(batch: list[tuple[int, tuple[str, ...]]]) -> None:
    numbered = [(n + 2, values) for n, (_, values) in enumerate(batch)]
    validator = RowValidator(bind(HEADER, "generic", Entity.TOUCHES))
    fast = validate_touch_rows(validator, numbered)
    slow = _slowly(validator, numbered)
    assert_frame_equal(fast.frame, slow.frame)
    assert fast.failures == slow.failures


def test_good_rows_take_the_columnar_path() -> None:
    validator = RowValidator(bind(HEADER, "generic", Entity.TOUCHES))
    good = (
        "",
        "2026-03-05T14:02:03+01:00",
        "page_view",
        "Ada@Example.com",
        "",
        "email",
        "",
        "",
        "",
        "",
    )
    batch = validate_touch_rows(validator, [(2, good), (3, (*good[:3], "nobody", *good[4:]))])
    assert batch.frame.height == 1
    assert (
        batch.frame.get_column("occurred_at")[0]
        == pl.Series(["2026-03-05T13:02:03"]).str.to_datetime(time_zone="UTC")[0]
    )
    assert batch.frame.get_column("event_id")[0].startswith("h1-")
    assert [f.row for f in batch.failures] == [3]


def test_plain_rows_need_no_row_by_row_look() -> None:
    validator = RowValidator(bind(HEADER, "generic", Entity.TOUCHES))
    raw = pl.DataFrame(
        {
            "row": [2],
            **{
                f"c{i}": [v]
                for i, v in enumerate(
                    (
                        "e-1",
                        "2026-03-05 14:02:03.5Z",
                        "Page View",
                        " Ada@Example.com",
                        "",
                        "cpc",
                        "",
                        "",
                        "",
                        "Firefox",
                    )
                )
            },
        }
    )
    frame, slow = _fast_frame(validator, raw)
    assert slow == []
    assert frame.row(0, named=True)["properties"] == '{"Browser": "Firefox"}'
    assert frame.row(0, named=True)["channel"] == "paid_search"
