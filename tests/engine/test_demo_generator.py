"""The demo company generator.

- Same (seed, leads, now) gives the same frames; ids run on across chunks.
- Frames have exactly the tables' columns, and every reference resolves.
- Nothing happens after ``now``; lifecycles and deal histories are consistent.
- The documented ground truth can be recovered from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.demo import (
    CHUNK_SIZE,
    CHUNK_TABLES,
    GROUND_TRUTH,
    DemoCompany,
    DemoConfig,
    demo_users,
    generate,
)
from revloop.engine.demo import generator as generator_module
from revloop.engine.demo.arrays import months_before
from revloop.engine.demo.catalog import COMPETITORS
from revloop.engine.identity.dedupe import canonical_email_series
from revloop.engine.vocabulary import (
    BuyingRole,
    Channel,
    ContentKind,
    LifecycleStage,
    OpportunityStage,
    Role,
    TouchType,
)

NOW = datetime(2026, 11, 15, 12, 30, tzinfo=UTC)
_S, _I, _F, _D = pl.String, pl.Int64, pl.Float64, pl.Date
_T = pl.Datetime("us", "UTC")
_M = pl.Decimal(14, 2)

COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "activity_campaign": {
        "id": _I, "name": _S, "channel": _S, "utm_campaign": _S, "started_on": _D,
        "ended_on": _D, "budget": _M, "currency": _S,
    },
    "activity_contentasset": {
        "id": _I, "title": _S, "kind": _S, "url": _S, "campaign_id": _I, "body": _S,
        "published_on": _D,
    },
    "people_account": {
        "id": _I, "name": _S, "domain": _S, "industry": _S, "employee_count": _I, "country": _S,
        "region": _S, "tier": _S, "owner_id": _I, "created_at": _T, "updated_at": _T,
    },
    "people_person": {
        "id": _I, "email": _S, "first_name": _S, "last_name": _S, "title": _S, "persona": _S,
        "phone": _S, "country": _S, "account_id": _I, "stage": _S, "stage_changed_at": _T,
        "rule_score": _F, "fit_score": _F, "engagement_score": _F, "predicted_probability": _F,
        "owner_id": _I, "source": _S, "consent": _S, "created_at": _T, "updated_at": _T,
    },
    "activity_touch": {
        "id": _I, "event_id": _S, "person_id": _I, "anonymous_id": _S, "occurred_at": _T,
        "type": _S, "channel": _S, "campaign_id": _I, "content_id": _I, "url": _S,
        "utm_source": _S, "utm_medium": _S, "utm_campaign": _S, "utm_content": _S,
        "utm_term": _S, "properties": _S,
    },
    "lifecycle_stagetransition": {
        "id": _I, "person_id": _I, "from_stage": _S, "to_stage": _S, "at": _T,
        "by_user_id": _I, "by_rule": _S, "reason_code": _S, "note": _S,
    },
    "pipeline_opportunity": {
        "id": _I, "name": _S, "account_id": _I, "primary_contact_id": _I, "amount": _M,
        "currency": _S, "stage": _S, "close_date": _D, "owner_id": _I, "source": _S,
        "created_at": _T, "closed_at": _T, "outcome_reason": _S, "competitor": _S,
    },
    "pipeline_opportunitycontact": {
        "id": _I, "opportunity_id": _I, "person_id": _I, "role": _S,
    },
    "pipeline_opportunitychange": {
        "id": _I, "opportunity_id": _I, "at": _T, "field": _S, "old_value": _S,
        "new_value": _S, "by_user_id": _I,
    },
}  # fmt: skip
NULLABLE = {
    ("activity_campaign", "ended_on"), ("activity_campaign", "budget"),
    ("activity_contentasset", "campaign_id"), ("people_account", "employee_count"),
    ("people_account", "owner_id"), ("people_person", "account_id"),
    ("people_person", "predicted_probability"), ("people_person", "owner_id"),
    ("activity_touch", "person_id"), ("activity_touch", "campaign_id"),
    ("activity_touch", "content_id"), ("lifecycle_stagetransition", "by_user_id"),
    ("pipeline_opportunity", "owner_id"), ("pipeline_opportunity", "closed_at"),
    ("pipeline_opportunitychange", "by_user_id"),
}  # fmt: skip
OPEN_STAGES = {s.value for s in OpportunityStage if not s.is_closed}
STAGE_RANK = {"": -1, "discovery": 0, "qualification": 1, "proposal": 2, "negotiation": 3}


@dataclass
class Generated:
    company: DemoCompany
    chunk_people: list[int]
    tables: dict[str, pl.DataFrame]

    def __getitem__(self, table: str) -> pl.DataFrame:
        return self.tables[table]


def materialize(config: DemoConfig) -> Generated:
    company = generate(config)
    parts: dict[str, list[pl.DataFrame]] = {t: [] for t in CHUNK_TABLES}
    sizes = []
    for chunk in company.chunks():
        assert list(chunk.frames) == list(CHUNK_TABLES)
        sizes.append(chunk.people)
        for table, frame in chunk.frames.items():
            parts[table].append(frame)
    tables = {
        "activity_campaign": company.campaigns,
        "activity_contentasset": company.content,
        "people_account": company.accounts,
        **{
            t: pl.concat(frames) if frames else pl.DataFrame(schema=COLUMNS[t])
            for t, frames in parts.items()
        },
    }
    return Generated(company, sizes, tables)


@pytest.fixture(scope="module")
def demo() -> Generated:
    """Two chunks' worth of leads: enough for the ground truth to show."""
    return materialize(DemoConfig(leads=CHUNK_SIZE + 5_000, seed=11, now=NOW))


# --- the interface ---------------------------------------------------------------------


def test_demo_users_are_two_sales_teams_and_one_of_each_other_role() -> None:
    users = demo_users()
    assert [u.key for u in users] == list(range(len(users)))
    by_role = {role: [u for u in users if u.role == role.value] for role in Role}
    assert len(by_role[Role.SALES_REP]) == 6
    assert len(by_role[Role.SALES_MANAGER]) == 2
    assert len(by_role[Role.MARKETING]) == 2
    assert len(by_role[Role.ADMIN]) == len(by_role[Role.VIEWER]) == 1
    for team, zone in (("NA", "America/New_York"), ("EMEA", "Europe/Berlin")):
        reps = [u for u in by_role[Role.SALES_REP] if u.team == team]
        manager = next(u for u in by_role[Role.SALES_MANAGER] if u.team == team)
        assert len(reps) == 3
        assert {u.time_zone for u in reps} == {zone}
        assert {u.manager_key for u in reps} == {manager.key}
    assert len({u.username for u in users}) == len({u.email for u in users}) == len(users)


def test_config_refuses_naive_time_and_nonsense() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DemoConfig(now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="leads"):
        DemoConfig(leads=-1, now=NOW)
    with pytest.raises(ValueError, match="months"):
        DemoConfig(months=0, now=NOW)


def test_chunks_cover_the_leads_in_bounded_pieces(demo: Generated) -> None:
    assert demo.company.expected_people() == CHUNK_SIZE + 5_000
    assert demo.chunk_people == [CHUNK_SIZE, 5_000]
    assert demo["people_person"].height == CHUNK_SIZE + 5_000


def test_it_is_deterministic_and_chunks_restart() -> None:
    config = DemoConfig(leads=CHUNK_SIZE + 400, seed=3, now=NOW)
    company = generate(config)
    first = [chunk.frames for chunk in company.chunks()]
    again = [chunk.frames for chunk in company.chunks()]
    fresh_company = generate(config)
    fresh = [chunk.frames for chunk in fresh_company.chunks()]
    assert len(first) == len(again) == len(fresh) == 2
    for one, two, three in zip(first, again, fresh, strict=True):
        for table in CHUNK_TABLES:
            assert one[table].equals(two[table]), table
            assert one[table].equals(three[table]), table
    assert company.accounts.equals(fresh_company.accounts)
    assert company.campaigns.equals(fresh_company.campaigns)
    assert company.content.equals(fresh_company.content)


def test_another_seed_gives_another_company() -> None:
    def people(seed: int) -> pl.DataFrame:
        return next(generate(DemoConfig(leads=400, seed=seed, now=NOW)).chunks()).frames[
            "people_person"
        ]

    assert not people(3).equals(people(4))


# --- integrity -------------------------------------------------------------------------


def assert_integrity(g: Generated, now: datetime, months: int) -> None:
    for table, columns in COLUMNS.items():
        frame = g[table]
        assert frame.schema == pl.Schema(columns), table
        assert frame["id"].to_list() == list(range(1, frame.height + 1)), table
        for column in frame.columns:
            if (table, column) not in NULLABLE:
                assert frame[column].null_count() == 0, (table, column)

    campaigns, content, accounts = (
        g["activity_campaign"],
        g["activity_contentasset"],
        g["people_account"],
    )
    people, touches, transitions = (
        g["people_person"],
        g["activity_touch"],
        g["lifecycle_stagetransition"],
    )
    opps, contacts, changes = (
        g["pipeline_opportunity"],
        g["pipeline_opportunitycontact"],
        g["pipeline_opportunitychange"],
    )
    users = {u.key for u in demo_users()}
    reps = {u.key for u in demo_users() if u.role == Role.SALES_REP}

    def refers(child: pl.Series, parent: pl.Series | set[int]) -> None:
        values = set(child.drop_nulls().to_list())
        assert values <= (parent if isinstance(parent, set) else set(parent.to_list())), child.name

    refers(content["campaign_id"], campaigns["id"])
    refers(accounts["owner_id"], reps)
    refers(people["account_id"], accounts["id"])
    refers(people["owner_id"], reps)
    refers(touches["person_id"], people["id"])
    refers(touches["campaign_id"], campaigns["id"])
    refers(touches["content_id"], content["id"])
    refers(transitions["person_id"], people["id"])
    refers(transitions["by_user_id"], users)
    refers(opps["account_id"], accounts["id"])
    refers(opps["primary_contact_id"], people["id"])
    refers(opps["owner_id"], reps)
    refers(contacts["opportunity_id"], opps["id"])
    refers(contacts["person_id"], people["id"])
    refers(changes["opportunity_id"], opps["id"])
    refers(changes["by_user_id"], reps)

    # Vocabularies.
    assert set(campaigns["channel"]) <= {c.value for c in Channel}
    assert set(content["kind"]) <= {k.value for k in ContentKind}
    assert set(touches["type"]) <= {t.value for t in TouchType}
    assert set(touches["channel"]) <= {c.value for c in Channel}
    assert set(people["stage"]) <= {s.value for s in LifecycleStage}
    assert set(people["consent"]) <= {"unknown", "granted", "denied"}
    assert set(accounts["tier"]) <= {"", "1", "2", "3"}
    assert set(accounts["region"]) <= {"NA", "EMEA", "APAC"}
    assert set(opps["stage"]) <= {s.value for s in OpportunityStage}
    assert set(contacts["role"]) <= {r.value for r in BuyingRole}
    assert set(changes["field"]) <= {"stage", "amount", "close_date"}

    # Uniqueness.
    assert people["email"].str.to_lowercase().n_unique() == people.height
    # The loader stores this identity key under a unique constraint, too.
    assert canonical_email_series(people["email"]).n_unique() == people.height
    assert touches["event_id"].n_unique() == touches.height
    assert campaigns["name"].n_unique() == campaigns.height
    assert accounts["domain"].n_unique() == accounts.height
    assert contacts.select("opportunity_id", "person_id").is_unique().all()

    # Time: the window, and nothing at or after now.
    start = months_before(now.astimezone(UTC), months)
    for table, columns in COLUMNS.items():
        for column, dtype in columns.items():
            latest = g[table][column].max() if dtype == _T else None
            if latest is not None:
                assert latest < now, (table, column)  # type: ignore[operator]
    if touches.height:
        assert touches["occurred_at"].min() >= start  # type: ignore[operator]
        assert people["created_at"].min() >= start  # type: ignore[operator]
    assert (people["updated_at"] >= people["created_at"]).all()

    # Lifecycle: a chain from the creation record to the person's stage.
    ordered = transitions.sort("person_id", "at", "id")
    assert ordered["id"].to_list() == transitions["id"].to_list()
    chains = ordered.group_by("person_id", maintain_order=True).agg(
        first_from=pl.col("from_stage").first(),
        first_to=pl.col("to_stage").first(),
        first_at=pl.col("at").first(),
        linked=(pl.col("from_stage").slice(1) == pl.col("to_stage").slice(0, pl.len() - 1)).all(),
        rising=(pl.col("at").diff().drop_nulls() > timedelta(0)).all(),
        last_to=pl.col("to_stage").last(),
        last_at=pl.col("at").last(),
    )
    assert chains.height == people.height
    checked = people.join(chains, left_on="id", right_on="person_id")
    assert (checked["first_from"] == "").all()
    assert (checked["first_to"] == "lead").all()
    assert (checked["first_at"] == checked["created_at"]).all()
    assert checked["linked"].all()
    assert checked["rising"].all()
    assert (checked["last_to"] == checked["stage"]).all()
    assert (checked["last_at"] == checked["stage_changed_at"]).all()
    assert (transitions["from_stage"] != transitions["to_stage"]).all()
    creation = transitions["from_stage"] == ""
    assert (transitions.filter(creation)["by_rule"] == "created").all()
    assert transitions.filter(~creation & (pl.col("by_rule") == ""))["by_user_id"].null_count() == 0

    # Routed people have an owner; people never routed have none.
    routed = set(transitions.filter(pl.col("to_stage") == "mql")["person_id"])
    assert set(people.filter(pl.col("owner_id").is_not_null())["id"]) == routed

    # The source is the channel of the person's first touch.
    first_touch = (
        touches.filter(pl.col("person_id").is_not_null())
        .sort("occurred_at", "id")
        .group_by("person_id")
        .agg(pl.col("channel").first())
    )
    sourced = people.join(first_touch, left_on="id", right_on="person_id")
    assert sourced.height == people.height
    assert (sourced["source"] == sourced["channel"]).all()

    assert_deals_consistent(g, now)


def assert_deals_consistent(g: Generated, now: datetime) -> None:
    opps, changes = g["pipeline_opportunity"], g["pipeline_opportunitychange"]
    contacts, people = g["pipeline_opportunitycontact"], g["people_person"]
    transitions = g["lifecycle_stagetransition"]
    ordered = changes.sort("opportunity_id", "at", "id")
    assert ordered["id"].to_list() == changes["id"].to_list()
    stages = changes.filter(pl.col("field") == "stage")
    history = stages.group_by("opportunity_id", maintain_order=True).agg(
        first_old=pl.col("old_value").first(),
        first_new=pl.col("new_value").first(),
        first_at=pl.col("at").first(),
        linked=(pl.col("old_value").slice(1) == pl.col("new_value").slice(0, pl.len() - 1)).all(),
        last_new=pl.col("new_value").last(),
        last_at=pl.col("at").last(),
    )
    deal = opps.join(history, left_on="id", right_on="opportunity_id")
    assert deal.height == opps.height
    assert (deal["first_old"] == "").all()
    assert (deal["first_new"] == "discovery").all()
    assert (deal["first_at"] == deal["created_at"]).all()
    assert deal["linked"].all()
    assert (deal["last_new"] == deal["stage"]).all()
    closed = deal.filter(pl.col("stage").is_in(["won", "lost"]))
    assert (closed["closed_at"] == closed["last_at"]).all()
    assert (closed["outcome_reason"] != "").all()
    still_open = deal.filter(pl.col("stage").is_in(OPEN_STAGES))
    assert still_open["closed_at"].null_count() == still_open.height
    assert (still_open["outcome_reason"] == "").all()
    assert (changes.join(opps, left_on="opportunity_id", right_on="id")
            .select((pl.col("at") >= pl.col("created_at")).all()).item())  # fmt: skip

    for field, column, text in (
        ("amount", "amount", pl.col("amount").cast(pl.String)),
        ("close_date", "close_date", pl.col("close_date").cast(pl.String)),
    ):
        last = (
            changes.filter(pl.col("field") == field)
            .group_by("opportunity_id")
            .agg(pl.col("new_value").last(), chain=_linked())
        )
        final = opps.with_columns(text=text).join(last, left_on="id", right_on="opportunity_id")
        assert (final["new_value"] == final["text"]).all(), column
        assert final["chain"].all(), column

    # The primary contact is on the deal and moved to Opportunity when it opened.
    primary = contacts.join(opps, left_on=["opportunity_id", "person_id"],
                            right_on=["id", "primary_contact_id"])  # fmt: skip
    assert primary.height == opps.height
    opened = transitions.filter(pl.col("to_stage") == "opportunity")
    moved = opps.join(opened, left_on=["primary_contact_id", "created_at"],
                      right_on=["person_id", "at"])  # fmt: skip
    assert moved.height == opps.height
    won = set(opps.filter(pl.col("stage") == "won")["primary_contact_id"])
    assert won == set(people.filter(pl.col("stage") == "customer")["id"])
    del now


def _linked() -> pl.Expr:
    return (pl.col("old_value").slice(1) == pl.col("new_value").slice(0, pl.len() - 1)).all()


def test_integrity_over_two_chunks(demo: Generated) -> None:
    assert_integrity(demo, NOW, 12)


@given(
    leads=st.integers(0, 300),
    seed=st.integers(0, 2**32),
    months=st.integers(1, 12),
    now=st.datetimes(datetime(2021, 1, 1), datetime(2035, 12, 31)),
    offset_h=st.integers(-11, 13),
)
@settings(max_examples=25, deadline=None)
def test_integrity_holds_for_any_small_company(
    leads: int, seed: int, months: int, now: datetime, offset_h: int
) -> None:
    aware = now.replace(tzinfo=timezone(timedelta(hours=offset_h)))
    assert_integrity(
        materialize(DemoConfig(leads=leads, seed=seed, now=aware, months=months)), aware, months
    )


# --- realism ---------------------------------------------------------------------------


def test_volumes_look_like_a_b2b_company(demo: Generated) -> None:
    people, touches = demo["people_person"], demo["activity_touch"]
    assert 8 <= touches.height / people.height <= 13
    anonymous = touches["person_id"].null_count() / touches.height
    assert 0 < anonymous < 0.05
    with_account = people.filter(pl.col("account_id").is_not_null())
    assert 3 <= with_account.height / with_account["account_id"].n_unique() <= 5
    assert 25 <= demo["activity_campaign"].height <= 35
    assert 35 <= demo["activity_contentasset"].height <= 50
    marketing = {c.value for c in Channel} - {Channel.SALES_OUTREACH, Channel.OTHER}
    assert set(touches["channel"]) >= marketing
    free_mail = people["email"].str.ends_with("@gmail.com").sum()
    assert 0.01 < free_mail / people.height < 0.05
    assert people.filter(pl.col("account_id").is_null()).height / people.height < 0.25
    reached = (
        demo["lifecycle_stagetransition"].group_by("to_stage").agg(pl.col("person_id").n_unique())
    )
    reach = dict(reached.iter_rows())
    assert reach["lead"] > reach["mql"] > reach["sal"] > reach["sql"] > reach["opportunity"]
    assert reach["opportunity"] > reach["customer"] > 0


def test_some_content_promises_what_the_company_does_not_offer(demo: Generated) -> None:
    bodies = demo["activity_contentasset"]["body"].str.to_lowercase()
    for promise in ("free shipping", "money-back guarantee", "free migration"):
        assert bodies.str.contains(promise, literal=True).any(), promise
    titles = set(demo["activity_contentasset"]["title"])
    assert set(GROUND_TRUTH.misleading_content) <= titles


def test_some_tier_one_accounts_are_owned_by_a_rep_of_their_region(demo: Generated) -> None:
    users = {u.key: u for u in demo_users()}
    owned = demo["people_account"].filter(pl.col("owner_id").is_not_null())
    assert owned.height > 0
    assert (owned["tier"] == "1").all()
    for region, owner in owned.select("region", "owner_id").iter_rows():
        assert users[owner].team == ("EMEA" if region == "EMEA" else "NA")


def test_mql_happens_when_points_cross_the_threshold(demo: Generated) -> None:
    touches = demo["activity_touch"].join(
        demo["activity_contentasset"].select(pl.col("id").alias("content_id"), "kind"),
        on="content_id",
        how="left",
    )
    scored = (
        touches.filter(pl.col("person_id").is_not_null())
        .with_columns(points=_points())
        .sort("person_id", "occurred_at", "id")
        .with_columns(total=pl.col("points").cum_sum().over("person_id"))
        .filter(pl.col("total") >= GROUND_TRUTH.mql_threshold)
        .group_by("person_id")
        .agg(crossed=pl.col("occurred_at").first())
    )
    people = demo["people_person"].join(scored, left_on="id", right_on="person_id", how="left")
    # Scoring sees stitched anonymous history once the person is known.
    expected = pl.when(pl.col("crossed").is_not_null()).then(
        pl.max_horizontal("crossed", pl.col("created_at") + timedelta(seconds=1))
    )
    mql = demo["lifecycle_stagetransition"].filter(pl.col("to_stage") == "mql")
    checked = people.with_columns(expected=expected).join(
        mql.select("person_id", "at"), left_on="id", right_on="person_id", how="left"
    )
    became = checked.filter(pl.col("at").is_not_null())
    assert became.height > 0
    assert (became["at"] == became["expected"]).all()
    never = checked.filter(pl.col("at").is_null())
    assert (never["expected"].is_null() | (never["expected"] >= NOW)).all()


def _points() -> pl.Expr:
    p = GROUND_TRUTH.points
    type_, kind = pl.col("type"), pl.col("kind")
    rules = (
        (type_ == "form_submit") & (kind == "demo_request"), p["demo_request"],
        (type_ == "form_submit") & (kind == "webinar"), p["webinar_registration"],
        (type_ == "form_submit") & (kind == "landing_page"), p["landing_form"],
        (type_ == "form_submit") & (kind == "blog_post"), p["newsletter_signup"],
        (type_ == "form_submit") & kind.is_null(), p["contact_form"],
        (type_ == "content_download") & (kind == "white_paper"), p["white_paper_download"],
        (type_ == "content_download") & (kind == "ebook"), p["ebook_download"],
        (type_ == "content_download") & (kind == "datasheet"), p["datasheet_download"],
        (type_ == "page_view") & (kind == "pricing_page"), p["pricing_view"],
        (type_ == "page_view") & (kind == "case_study"), p["case_study_view"],
        (type_ == "page_view") & (kind == "video"), p["video_view"],
        (type_ == "page_view") & (kind == "blog_post"), p["blog_view"],
        (type_ == "page_view"), p["site_view"],
        type_ == "chat", p["pricing_chat"],
        (type_ == "webinar") & pl.col("properties").str.contains('"attended": true'),
        p["webinar_attended"],
        type_ == "webinar", p["webinar_missed"],
        type_ == "email_open", p["email_open"],
        type_ == "email_click", p["email_click"],
        type_ == "ad_click", p["ad_click"],
        type_ == "event", p["event_visit"],
    )  # fmt: skip
    expr = pl.when(rules[0]).then(pl.lit(rules[1]))
    for i in range(2, len(rules), 2):
        expr = expr.when(rules[i]).then(pl.lit(rules[i + 1]))
    return expr.otherwise(pl.lit(0.0))


# --- ground truth recovered from the data ----------------------------------------------


def _people_with_outcomes(demo: Generated) -> pl.DataFrame:
    low, high = GROUND_TRUTH.icp_employees
    accounts = demo["people_account"].select(
        pl.col("id").alias("account_id"),
        icp=pl.col("industry").is_in(GROUND_TRUTH.icp_industries)
        & pl.col("employee_count").is_between(low, high)
        & pl.col("region").is_in(GROUND_TRUTH.icp_regions),
        competitor=pl.col("domain").is_in([d for _, d in COMPETITORS]),
    )
    return (
        demo["people_person"]
        .join(accounts, on="account_id", how="left")
        .with_columns(
            pl.col("icp").fill_null(False),
            pl.col("competitor").fill_null(False),
            won=pl.col("stage") == "customer",
        )
    )


def _behaviour(demo: Generated) -> pl.DataFrame:
    touches = demo["activity_touch"].join(
        demo["activity_contentasset"].select(pl.col("id").alias("content_id"), "kind", "title"),
        on="content_id",
        how="left",
    )
    return (
        touches.filter(pl.col("person_id").is_not_null())
        .group_by("person_id")
        .agg(
            high_intent=pl.col("kind").is_in(["pricing_page", "demo_request"]).any(),
            white_paper=(pl.col("kind") == "white_paper").any(),
        )
    )


def test_icp_fit_wins_far_more_often(demo: Generated) -> None:
    rates = dict(_people_with_outcomes(demo).group_by("icp").agg(pl.col("won").mean()).iter_rows())
    assert rates[True] > 4 * rates[False]


def test_pricing_and_demo_requests_win_white_paper_downloads_do_not(demo: Generated) -> None:
    people = _people_with_outcomes(demo).join(_behaviour(demo), left_on="id", right_on="person_id")
    high = people.filter(pl.col("high_intent"))["won"].mean()
    white_paper_only = people.filter(pl.col("white_paper") & ~pl.col("high_intent"))["won"].mean()
    assert high > 20 * white_paper_only  # type: ignore[operator]


def test_white_papers_have_most_downloads_and_least_revenue_per_touch(demo: Generated) -> None:
    touches = demo["activity_touch"].join(
        demo["activity_contentasset"].select(pl.col("id").alias("content_id"), "kind"),
        on="content_id",
    )
    downloads = touches.filter(pl.col("type") == "content_download")["kind"].value_counts()
    assert downloads.sort("count")["kind"][-1] == "white_paper"
    revenue = (
        demo["pipeline_opportunity"]
        .filter(pl.col("stage") == "won")
        .select(person_id="primary_contact_id", revenue=pl.col("amount").cast(pl.Float64))
    )
    per_touch = dict(
        touches.join(revenue, on="person_id", how="left")
        .group_by("kind")
        .agg(pl.col("revenue").fill_null(0).mean())
        .iter_rows()
    )
    for converting in ("pricing_page", "demo_request", "case_study"):
        assert per_touch["white_paper"] * 2 < per_touch[converting], converting


def test_misinformed_rejections_come_from_misleading_content(demo: Generated) -> None:
    content = demo["activity_contentasset"]
    misleading = content.filter(pl.col("title").is_in(GROUND_TRUTH.misleading_content))["id"]
    transitions = demo["lifecycle_stagetransition"]
    verdicts = transitions.filter(pl.col("from_stage") == "mql").select(
        "person_id", "at", "reason_code", "note", "by_user_id"
    )
    seen = (
        demo["activity_touch"].filter(pl.col("content_id").is_in(misleading.implode()))
        .join(verdicts, on="person_id")
        .filter(pl.col("occurred_at") < pl.col("at"))
        .select("person_id").unique().with_columns(saw=pl.lit(True))
    )  # fmt: skip
    judged = verdicts.join(seen, on="person_id", how="left").with_columns(
        pl.col("saw").fill_null(False), misinformed=pl.col("reason_code") == "misinformed"
    )
    rates = dict(judged.group_by("saw").agg(pl.col("misinformed").mean()).iter_rows())
    assert rates[True] > 10 * rates[False]
    misinformed = judged.filter(pl.col("misinformed"))
    assert misinformed["saw"].mean() > 0.7  # type: ignore[operator]
    named = misinformed.filter(pl.col("saw"))["note"]
    assert named.str.contains_any(list(GROUND_TRUTH.misleading_content)).mean() > 0.95  # type: ignore[operator]


def test_rejections_carry_a_reason_and_come_from_the_owning_rep(demo: Generated) -> None:
    rejected = demo["lifecycle_stagetransition"].filter(
        pl.col("to_stage").is_in(["disqualified", "recycled"])
    )
    reasons = set(rejected["reason_code"])
    assert {"wrong_target", "misinformed", "no_budget", "student", "competitor"} <= reasons
    assert {"duplicate", "bad_data"} <= reasons
    for reason, stage in rejected.select("reason_code", "to_stage").unique().iter_rows():
        assert GROUND_TRUTH.reason_stage[reason] == stage
    owners = rejected.join(demo["people_person"], left_on="person_id", right_on="id")
    assert (owners["by_user_id"] == owners["owner_id"]).all()


def test_students_competitors_and_free_mail_never_win(demo: Generated) -> None:
    people = _people_with_outcomes(demo)
    assert not people.filter(pl.col("account_id").is_null())["won"].any()
    assert not people.filter(pl.col("persona") == "student")["won"].any()
    assert not people.filter(pl.col("competitor"))["won"].any()
    # They are not filtered out up front: some become MQLs and reps reject them.
    assert people.filter(pl.col("persona") == "student")["owner_id"].is_not_null().any()


def test_strong_channels_beat_weak_ones(demo: Generated) -> None:
    rates = dict(
        _people_with_outcomes(demo).group_by("source").agg(pl.col("won").mean()).iter_rows()
    )
    for strong in ("referral", "events"):
        for weak in ("paid_social", "content_syndication"):
            assert rates[strong] > 2 * rates[weak], (strong, weak)


def test_recent_leads_have_not_progressed_yet(demo: Generated) -> None:
    people = demo["people_person"]
    recent = people.filter(pl.col("created_at") >= NOW - timedelta(days=30))
    early = people.filter(pl.col("created_at") < NOW - timedelta(days=270))
    assert (recent["stage"] == "lead").mean() > (early["stage"] == "lead").mean() + 0.1  # type: ignore[operator]
    assert (recent["stage"] == "customer").sum() == 0


def test_the_pipeline_is_stuffed_in_the_known_ways(demo: Generated) -> None:
    opps, changes = demo["pipeline_opportunity"], demo["pipeline_opportunitychange"]
    stuffers = list(GROUND_TRUTH.pipeline_stuffers)
    quarter_end = opps.with_columns(
        burst=pl.col("created_at").dt.month().is_in([3, 6, 9, 12])
        & (pl.col("created_at").dt.day() >= 22),
        stuffer=pl.col("owner_id").is_in(stuffers),
    )
    bursts = dict(quarter_end.group_by("stuffer").agg(pl.col("burst").mean()).iter_rows())
    assert bursts[True] > 1.4 * bursts[False]

    last_touch = demo["activity_touch"].group_by("person_id").agg(last=pl.col("occurred_at").max())
    stale = (
        opps.filter(pl.col("closed_at").is_null())
        .join(last_touch, left_on="primary_contact_id", right_on="person_id")
        .with_columns(stale=pl.col("last") < NOW - timedelta(days=30))
    )
    assert stale["stale"].any()
    assert stale.filter(pl.col("owner_id").is_in(stuffers))["stale"].mean() > 2 * (
        stale.filter(~pl.col("owner_id").is_in(stuffers))["stale"].mean()  # type: ignore[operator]
    )
    pushes = changes.filter(pl.col("field") == "close_date").group_by("opportunity_id").len()
    assert (pushes["len"] >= 3).any()
    stage_moves = changes.filter(
        (pl.col("field") == "stage") & pl.col("new_value").is_in(list(STAGE_RANK))
    ).with_columns(
        jump=pl.col("new_value").replace_strict(STAGE_RANK)
        - pl.col("old_value").replace_strict(STAGE_RANK)
    )
    assert (stage_moves["jump"] > 1).any()
    amounts = changes.filter(pl.col("field") == "amount").with_columns(
        ratio=pl.col("new_value").cast(pl.Float64) / pl.col("old_value").cast(pl.Float64)
    )
    assert (amounts["ratio"] >= 2).any()
    assert (opps.filter(pl.col("closed_at").is_null())["close_date"] < NOW.date()).any()


def test_the_ground_truth_is_documented_with_its_numbers() -> None:
    doc = generator_module.__doc__ or ""
    tables = (
        GROUND_TRUTH.coefficients, GROUND_TRUTH.intercepts, GROUND_TRUTH.channel_effects,
    )  # fmt: skip
    for table in tables:
        for name, value in table.items():
            assert re.search(rf"\b{name}\s+{re.escape(f'{value:+.1f}')}\b", doc), name
    for name, value in GROUND_TRUTH.points.items():
        assert re.search(rf"\b{name}(?:, \w+)*\s+{value:.0f}\b", doc), name
    for title in GROUND_TRUTH.misleading_content:
        assert title in doc
