"""The Marketing page: charts and tables of every report, a model picker, roles."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client

from revloop.users.models import User
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=400, seed=3, now=NOW)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("company")
def test_the_page_shows_every_report_as_chart_and_table(marketer: User) -> None:
    response = _client(marketer).get("/marketing/")
    assert response.status_code == 200
    html = response.content.decode()
    for table in ("funnel", "velocity", "attribution", "comparison", "content", "rejections"):
        assert f'data-table="{table}"' in html, table
    assert html.count("<svg") >= 4
    assert "drop off" in html
    assert "Models side by side" in html
    assert 'aria-current="page"' in html
    if target := os.environ.get("REVLOOP_SAVE_PAGE"):
        Path(target).write_text(html)


@pytest.mark.usefixtures("company")
def test_the_model_picker_swaps_the_attribution_section(marketer: User) -> None:
    response = _client(marketer).get(
        "/marketing/",
        {"model": "time_decay", "outcome": "pipeline", "level": "campaign"},
        headers={"HX-Request": "true", "HX-Target": "attribution"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="attribution"')
    assert '<option value="time_decay" selected>' in html
    assert "pipeline by campaign" in html


@pytest.mark.usefixtures("company")
def test_the_funnel_slices_and_rejections_follow_the_query(marketer: User) -> None:
    html = (
        _client(marketer)
        .get("/marketing/", {"by": "source", "rejections_by": "content"})
        .content.decode()
    )
    assert 'data-table="funnel-slices"' in html
    assert "paid_social" in html
    assert "Why Sales sends leads back, by content" in html


def test_a_bad_parameter_is_a_bad_request(marketer: User) -> None:
    assert _client(marketer).get("/marketing/", {"model": "astrology"}).status_code == 400


def test_an_outsider_is_refused(outsider: User) -> None:
    assert _client(outsider).get("/marketing/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(db: None) -> None:
    response = Client().get("/marketing/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
