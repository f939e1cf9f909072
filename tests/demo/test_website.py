"""The demo company's recent plain page views arrive through the tracker's Segment path,
unchanged in meaning, and its settings page shows the snippet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from django.test import Client

from revloop.activity.models import Touch
from revloop.capture.models import SiteKey
from revloop.demo.seed import seed_demo
from revloop.demo.website import TRACKER_DAYS, tracked_page_views
from revloop.engine.demo import DemoConfig, generate
from revloop.people.models import AnonymousIdentity
from revloop.users.models import User

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEADS = 300

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db: None) -> None:
    seed_demo(leads=LEADS, seed=5, now=NOW)


def _generated_touches() -> pl.DataFrame:
    company = generate(DemoConfig(leads=LEADS, seed=5, now=NOW))
    return pl.concat([chunk.frames[Touch._meta.db_table] for chunk in company.chunks()])


@pytest.mark.usefixtures("seeded")
def test_recent_plain_page_views_arrive_as_page_calls_meaning_the_same() -> None:
    generated = _generated_touches()
    sent = generated.filter(tracked_page_views(NOW))
    assert 0 < sent.height < generated.height
    through_segment = Touch.objects.filter(properties__call="page")
    assert through_segment.count() == sent.height
    stored = {
        t.event_id: (t.person_id, t.channel, t.occurred_at, t.url, t.anonymous_id)
        for t in through_segment
    }
    expected = {
        row["event_id"]: (
            row["person_id"],
            row["channel"],
            row["occurred_at"],
            row["url"],
            row["anonymous_id"],
        )
        for row in sent.iter_rows(named=True)
    }
    assert stored == expected
    # The visitors the tracker identified keep their anonymous id, as a live site's would.
    identified = sent.filter(pl.col("person_id").is_not_null())["anonymous_id"].unique()
    assert AnonymousIdentity.objects.filter(anonymous_id__in=identified.to_list()).count() == len(
        identified
    )
    # Those from before the tracker went live came with the rest of the history.
    live_since = NOW - timedelta(days=TRACKER_DAYS)
    older = generated.filter((pl.col("type") == "page_view") & (pl.col("occurred_at") < live_since))
    assert older.height > sent.height
    assert not Touch.objects.filter(properties__call="page", occurred_at__lt=live_since).exists()
    assert Touch.objects.filter(event_id__in=older["event_id"].to_list()).count() == older.height
    assert Touch.objects.count() == generated.height


@pytest.mark.usefixtures("seeded")
def test_the_settings_page_shows_brightlines_snippet(client: Client) -> None:
    key = SiteKey.objects.get(revoked_at__isnull=True)
    assert "https://www.brightline.io" in key.origins
    client.force_login(User.objects.get(username="maya"))
    page = client.get("/settings/tracking/").text
    assert key.key in page
    assert "http://testserver/t.js" in page
