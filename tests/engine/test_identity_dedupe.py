"""Duplicate people: clusters by canonical email (and optionally name + account), survivors
by a fixed rule, and merge plans that report every value they do not keep.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.identity.dedupe import (
    DuplicateCluster,
    MergePlan,
    canonical_email_series,
    find_duplicates,
    furthest_lifecycle_stage,
    plan_merge,
    plan_merges,
)
from revloop.engine.identity.email import InvalidEmail, normalize_email


def at(day: int) -> datetime:
    return datetime(2024, 1, day, tzinfo=UTC)


def people(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "id": pl.Int64,
            "email": pl.Utf8,
            "created_at": pl.Datetime("us", "UTC"),
            "touch_count": pl.Int64,
            "first_name": pl.Utf8,
            "last_name": pl.Utf8,
            "account_id": pl.Int64,
        },
    )


def row(pid: int, email: str | None, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": pid,
        "email": email,
        "created_at": None,
        "touch_count": 0,
        "first_name": "",
        "last_name": "",
        "account_id": None,
    }
    return {**base, **extra}


def test_it_clusters_case_whitespace_and_plus_tag_variants() -> None:
    frame = people(
        [
            row(1, "jo.doe@gmail.com"),
            row(2, "  JoDoe+news@GoogleMail.com "),
            row(3, "ada@acme.com"),
            row(4, "ADA@acme.com"),
            row(5, "ada+x@acme.com"),  # corporate plus tags are a different mailbox
            row(6, None),
            row(7, "not an email"),
            row(8, "not an email"),  # invalid values never cluster
        ]
    )
    clusters = find_duplicates(frame)
    assert clusters == [
        DuplicateCluster(1, (2,), ("email:jodoe@gmail.com",)),
        DuplicateCluster(3, (4,), ("email:ada@acme.com",)),
    ]


def test_the_survivor_is_the_oldest_then_most_touched_then_lowest_id() -> None:
    frame = people(
        [
            row(10, "a@x.com", created_at=at(5), touch_count=100),
            row(11, "A@x.com", created_at=at(2), touch_count=0),
            row(12, "a@X.com", created_at=None, touch_count=999),
            row(20, "b@x.com", created_at=at(3), touch_count=1),
            row(21, "B@x.com", created_at=at(3), touch_count=7),
            row(30, "c@x.com"),
            row(31, "C@x.com"),
        ]
    )
    assert [(c.survivor_id, c.loser_ids) for c in find_duplicates(frame)] == [
        (11, (10, 12)),
        (21, (20,)),
        (30, (31,)),
    ]


def test_name_and_account_matching_is_opt_in_and_joins_clusters() -> None:
    frame = people(
        [
            row(1, "jo@acme.com", first_name="Jo", last_name="Doe", account_id=7),
            row(2, "j.doe@acme.com", first_name=" jo ", last_name="DOE", account_id=7),
            row(3, "JO@acme.com", first_name="", last_name="", account_id=None),
            row(4, "jo@other.com", first_name="Jo", last_name="Doe", account_id=8),
            row(5, "x@acme.com", first_name="Jo", last_name="", account_id=7),
        ]
    )
    assert [c.member_ids for c in find_duplicates(frame)] == [(1, 3)]
    (cluster,) = find_duplicates(frame, by_name_and_account=True)
    assert sorted(cluster.member_ids) == [1, 2, 3]
    assert set(cluster.keys) == {"email:jo@acme.com", "name:7:jo|doe"}


def test_string_ids_and_a_frame_without_optional_columns_work() -> None:
    frame = pl.DataFrame({"id": ["b", "a", "c"], "email": ["x@y.com", "X@Y.COM", "z@y.com"]})
    assert find_duplicates(frame) == [DuplicateCluster("a", ("b",), ("email:x@y.com",))]


def test_no_duplicates_gives_no_clusters() -> None:
    assert find_duplicates(people([row(1, "a@x.com"), row(2, "b@x.com")])) == []


ascii_emails = st.from_regex(
    r"[ \t]{0,2}[A-Za-z0-9.+_'-]{0,12}@?[A-Za-z0-9.-]{0,12}"
    r"(\.(com|DE|co\.uk|x))?[ \t\n]{0,2}",
    fullmatch=True,
)
provider_emails = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.from_regex(r"[A-Za-z0-9.+]{0,10}", fullmatch=True),
    st.sampled_from(["gmail.com", "GoogleMail.com", "outlook.com", "hey.com", "acme.com"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ascii_emails | provider_emails | st.text(max_size=20) | st.none(), max_size=30))
def test_the_vectorised_keys_equal_normalize_email(values: list[str | None]) -> None:
    got = canonical_email_series(pl.Series("email", values, dtype=pl.Utf8)).to_list()
    expected = []
    for value in values:
        try:
            expected.append(None if value is None else normalize_email(value).canonical)
        except InvalidEmail:
            expected.append(None)
    assert got == expected


# -- merge plans ---------------------------------------------------------------------


def person(pid: int, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "created_at": at(pid), **fields}


def test_the_survivor_keeps_its_values_and_fills_the_empty_ones() -> None:
    old = person(1, email="jo@acme.com", title="", phone="+1 555", properties={"a": "1"})
    new = person(2, email="JO@acme.com", title="CTO", phone="", properties={"b": "2"})
    plan = plan_merge([new, old])
    assert plan.survivor_id == 1
    assert plan.loser_ids == (2,)
    assert plan.updates == {"title": "CTO", "properties": {"a": "1", "b": "2"}}
    assert plan.filled_from == {"title": 2, "properties.b": 2}
    assert plan.conflicts == ()  # emails equal apart from case


def test_conflicting_values_are_reported_not_silently_dropped() -> None:
    survivor = person(1, title="CTO", properties={"colour": "blue"}, owner_id=None)
    loser = person(2, title="VP Sales", properties={"colour": "red"}, owner_id=None)
    other = person(3, title="", properties={}, owner_id=4)
    plan = plan_merge([survivor, loser, other])
    assert plan.updates == {"owner_id": 4}
    assert plan.filled_from == {"owner_id": 3}
    conflicts = {c.field: (c.kept, c.discarded) for c in plan.conflicts}
    assert conflicts == {
        "title": ("CTO", ((2, "VP Sales"),)),
        "properties.colour": ("blue", ((2, "red"),)),
    }


def test_every_loser_value_is_either_kept_or_reported() -> None:
    records = [
        person(1, a="x", b="", c=None, d="same"),
        person(2, a="y", b="fill", c=5, d="SAME "),
        person(3, a="z", b="other", c=6, d="diff"),
    ]
    plan = plan_merge(records)
    final = {**records[0], **plan.updates}
    reported = {(c.field, i, v) for c in plan.conflicts for i, v in c.discarded}
    for record in records[1:]:
        for name, value in record.items():
            if name in {"id", "created_at"} or value in (None, ""):
                continue
            kept = str(final[name]).strip().casefold() == str(value).strip().casefold()
            assert kept or (name, record["id"], value) in reported, (name, value)


def test_created_at_takes_the_earliest_without_a_conflict() -> None:
    plan = plan_merge([person(5), person(3)], survivor_id=5)
    assert plan.survivor_id == 5
    assert plan.updates == {"created_at": at(3)}
    assert plan.conflicts == ()


def test_a_forced_survivor_and_touch_counts() -> None:
    a = {"id": 1, "created_at": at(1)}
    b = {"id": 2, "created_at": at(1)}
    assert plan_merge([a, b], touch_counts={2: 5}).survivor_id == 2
    assert plan_merge([a, b], survivor_id=1, touch_counts={2: 5}).survivor_id == 1
    with pytest.raises(ValueError, match="not among"):
        plan_merge([a, b], survivor_id=3)
    with pytest.raises(ValueError, match="at least two"):
        plan_merge([a])


def test_resolvers_decide_a_field_and_still_report_what_lost() -> None:
    records = [person(1, stage="mql"), person(2, stage="opportunity"), person(3, stage="lead")]
    plan = plan_merge(records, resolvers={"stage": furthest_lifecycle_stage})
    assert plan.updates == {"stage": "opportunity"}
    (conflict,) = plan.conflicts
    assert conflict.discarded == ((1, "mql"), (3, "lead"))


def test_scores_and_bookkeeping_are_never_merged() -> None:
    plan = plan_merge([person(1, rule_score=0.0, updated_at=None), person(2, rule_score=9.0)])
    assert "rule_score" not in plan.updates
    assert plan.conflicts == ()


def test_plans_follow_the_clusters_and_serialise() -> None:
    clusters = [DuplicateCluster(2, (1,), ("email:a@x.com",))]
    records = {1: person(1, title="A"), 2: person(2, title="B")}
    (plan,) = plan_merges(clusters, records)
    assert isinstance(plan, MergePlan)
    assert plan.survivor_id == 2
    data = plan.as_dict()
    assert data["keys"] == ["email:a@x.com"]
    assert data["updated_fields"] == ["created_at"]
    assert data["conflicts"] == [
        {"field": "title", "kept": "B", "discarded": [{"id": 1, "value": "A"}]}
    ]


def test_empty_and_all_null_frames() -> None:
    assert find_duplicates(people([])) == []
    assert find_duplicates(people([row(1, None), row(2, None)])) == []
