"""Reports are served from the cache while the data is unchanged; the periodic job
recomputes only what went stale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import Client

from revloop.analytics.cache import data_version
from revloop.analytics.models import ReportCache
from revloop.analytics.reports import Reports, refresh_reports
from revloop.users.models import User
from revloop.worker.registry import registered_jobs
from tests import factories
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=200, seed=9, now=NOW)


@pytest.mark.usefixtures("company")
def test_refresh_computes_the_stale_reports_once() -> None:
    first = refresh_reports()
    assert [entry["hit"] for entry in first] == [False] * len(first)
    assert ReportCache.objects.count() == len(first)
    again = refresh_reports()
    assert [entry["hit"] for entry in again] == [True] * len(again)
    with Reports() as reports:
        assert reports.content()["cache"]["hit"] is True


@pytest.mark.usefixtures("company")
def test_every_kind_of_new_row_changes_the_data_version() -> None:
    seen = {data_version()}
    person = factories.person()
    seen.add(data_version())
    factories.touch(person=person)
    seen.add(data_version())
    factories.opportunity()
    seen.add(data_version())
    assert len(seen) == 4


@pytest.mark.usefixtures("company")
def test_a_new_touch_makes_the_page_reports_stale() -> None:
    refresh_reports()
    factories.touch()
    assert not any(entry["hit"] for entry in refresh_reports())


def test_the_worker_runs_the_refresh_periodically() -> None:
    job = registered_jobs()["revloop.analytics.jobs.refresh_marketing_reports"]
    assert job.queue == "slow"
    assert job.every.total_seconds() == 300


@pytest.mark.usefixtures("company")
def test_the_page_shows_a_recent_report_of_older_data_and_says_so(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    page = Client()
    page.force_login(marketer)
    assert "nothing has changed since" not in page.get("/marketing/").content.decode()
    assert "nothing has changed since" in page.get("/marketing/").content.decode()
    computed = set(ReportCache.objects.values_list("computed_at", flat=True))
    factories.touch()
    html = page.get("/marketing/").content.decode()
    assert "newer data has arrived since" in html
    assert set(ReportCache.objects.values_list("computed_at", flat=True)) == computed
    # The API asks for current data.
    assert token_client(marketer).get("/api/v1/analytics/funnel").json()["cache"]["hit"] is False


@pytest.mark.usefixtures("company")
def test_with_no_max_age_the_page_recomputes_after_new_data(
    marketer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVLOOP_REPORT_MAX_AGE", "0")
    page = Client()
    page.force_login(marketer)
    page.get("/marketing/")
    factories.touch()
    assert "just computed" in page.get("/marketing/").content.decode()
