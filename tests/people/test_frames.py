"""The database read behind scoring: every column a rule can match on arrives typed."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from revloop.activity.frames import touches_frame
from revloop.activity.models import Campaign, ContentAsset
from revloop.engine.contract import parse_contract
from revloop.people.frames import people_frame, stages_frame
from tests import factories
from tests.contract_helpers import contract_text, ideal_person

pytestmark = pytest.mark.django_db

#: A rule on every touch column: channel, campaign name, content id and kind, URL.
EVERY_COLUMN = parse_contract(
    contract_text(
        (
            "    - id: contact_form\n",
            (
                "    - id: spring_email\n"
                "      match: {channel: email, campaign: Spring Launch, content_id: 1}\n"
                "      points: 7\n"
                "    - id: contact_form\n"
            ),
        )
    )
)


def test_people_come_with_the_fields_the_rules_read() -> None:
    person = ideal_person(email="Vera@Acme.example", title="VP Operations")
    loner = factories.person(email="jo@gmail.com")
    frame = people_frame([EVERY_COLUMN], with_created=True).sort("person_id")
    assert frame["person_id"].to_list() == [person.pk, loner.pk]
    assert frame["account.industry"].to_list() == ["Manufacturing", None]
    assert frame["account.employee_count"].to_list() == [800, None]
    assert frame["person.email"].to_list() == ["Vera@Acme.example", "jo@gmail.com"]
    assert frame["created_at"].dtype == pl.Datetime("us", "UTC")
    assert frame["created_at"].to_list() == [factories.T0, factories.T0]
    assert people_frame([EVERY_COLUMN], [loner.pk])["person_id"].to_list() == [loner.pk]
    assert people_frame([EVERY_COLUMN], []).height == 0


def test_touches_come_typed_with_campaign_names_and_content_kinds() -> None:
    person = factories.person()
    spring = Campaign.objects.create(name="Spring Launch", channel="email")
    sheet = ContentAsset.objects.create(title="Datasheet", kind="datasheet")
    at = factories.T0 + timedelta(microseconds=123456)
    factories.touch(
        person=person,
        occurred_at=at,
        type="email_click",
        channel="email",
        campaign=spring,
        content=sheet,
        url="https://x.example/pricing",
    )
    factories.touch(person=person, occurred_at=factories.T0 + timedelta(days=2), channel="")
    factories.touch(person=None, anonymous_id="anon-1")
    frame = touches_frame([EVERY_COLUMN]).sort("occurred_at")
    assert frame.columns == [
        "person_id",
        "occurred_at",
        "type",
        "channel",
        "content_id",
        "url",
        "campaign",
        "content_kind",
    ]
    assert frame["occurred_at"].to_list() == [at, factories.T0 + timedelta(days=2)]
    assert frame["type"].dtype == pl.Enum
    assert frame["channel"].to_list() == ["email", None]
    assert frame["campaign"].cast(pl.String).to_list() == ["Spring Launch", None]
    assert frame["content_kind"].cast(pl.String).to_list() == ["datasheet", None]
    assert frame["url"].cast(pl.String).to_list() == ["https://x.example/pricing", None]
    assert touches_frame([EVERY_COLUMN], until=factories.T0 + timedelta(days=1)).height == 1


def test_stages_come_with_their_moment() -> None:
    person = factories.person(stage="mql")
    frame = stages_frame([person.pk])
    assert frame.rows() == [(person.pk, "mql", factories.T0)]
