"""The worker keeps a DuckDB copy of the analytics tables; reports on the ``duckdb``
engine read it instead of copying the database on a user's request, and say the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from revloop.analytics.cache import data_version, page_max_age
from revloop.analytics.jobs import refresh_marketing_reports
from revloop.analytics.reports import AttributionParams, Reports, refresh_reports
from revloop.analytics.store import current_copy, rebuild_copy, store_dir
from revloop.users.models import User
from tests import factories
from tests.analytics.demo_data import NOW
from tests.analytics.seeded import seed_company
from tests.analytics.test_engines_service import _figures, _same

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REVLOOP_ANALYTICS_ENGINE", "duckdb")
    monkeypatch.setenv("REVLOOP_ANALYTICS_STORE", str(tmp_path / "store"))
    seed_company(leads=150, seed=4, now=NOW)
    return tmp_path / "store"


def test_a_copy_holds_the_live_version_and_is_made_again_only_after_a_change(
    on_duckdb: Path,
) -> None:
    assert current_copy() is None
    assert store_dir() == on_duckdb
    made, now = rebuild_copy()
    assert now is True
    assert made.version == data_version()
    assert current_copy() == made
    assert rebuild_copy() == (made, False)
    factories.touch()
    newer, again = rebuild_copy(force=True)
    assert again is True
    assert newer.version == data_version() != made.version
    assert current_copy() == newer
    # The previous copy is kept for a reader that named it just before the swap.
    assert sorted(p.name for p in on_duckdb.glob("*.duckdb")) == sorted(
        [made.path.name, newer.path.name]
    )


def test_reports_on_the_copy_equal_the_database_s(on_duckdb: Path) -> None:
    rebuild_copy()
    _same(_figures("database"), _figures("duckdb"))
    with Reports(engine="duckdb", fresh=True) as reports:
        content = reports.content()
    with Reports(engine="database", fresh=True) as reports:
        assert [a["touches"] for a in reports.content()["assets"]] == [
            a["touches"] for a in content["assets"]
        ]


def test_the_page_reads_a_recent_copy_of_older_data_the_api_current_data(
    on_duckdb: Path,
) -> None:
    copy, _ = rebuild_copy()
    factories.touch()
    live = data_version()
    assert live != copy.version
    with Reports(engine="duckdb", max_age=page_max_age()) as page:
        assert page.funnel()["cache"]["data_version"] == copy.version
    with Reports(engine="duckdb") as api:
        assert api.funnel()["cache"]["data_version"] == live
    with Reports(engine="duckdb", max_age=None) as old:
        assert old.attribution(AttributionParams())["cache"]["data_version"] == live


def test_the_worker_job_makes_the_copy_then_the_reports(on_duckdb: Path, marketer: User) -> None:
    assert refresh_marketing_reports(NOW) == {
        "computed": [
            "funnel",
            "funnel by source",
            "attribution",
            "comparison",
            "content",
            "misinformed",
            "rejections by source",
        ],
        "copied": True,
    }
    copy = current_copy()
    assert copy is not None
    assert copy.version == data_version()
    assert refresh_marketing_reports(NOW) is None
    page = Client()
    page.force_login(marketer)
    html = page.get("/marketing/").content.decode()
    assert "nothing has changed since" in html


def test_the_worker_also_recomputes_reports_people_asked_for_lately(on_duckdb: Path) -> None:
    rebuild_copy()
    asked = AttributionParams(model="linear", level="campaign", outcome="pipeline")
    with Reports() as reports:
        first = reports.attribution(asked)
        reports.rejections("campaign")
    factories.touch()
    rebuild_copy()
    done = {entry["report"].split(" ")[0] + " " + str(entry["hit"]) for entry in refresh_reports()}
    assert {"attribution False", "rejections False"} <= done
    with Reports() as reports:
        again = reports.attribution(asked)
    assert again["cache"]["hit"] is True
    assert again["cache"]["data_version"] == data_version() != first["cache"]["data_version"]
