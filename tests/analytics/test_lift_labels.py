"""Touched-against-everyone-else comparisons say what they are: observational."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import Client

from revloop.users.models import User
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=150, seed=9, now=NOW)


@pytest.mark.usefixtures("company")
def test_content_effectiveness_is_labelled_observational_everywhere(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    body = token_client(marketer).get("/api/v1/analytics/content").json()
    assert body["comparison"] == "observational"
    assert "not the asset's effect" in body["comparison_note"]

    client = Client()
    client.force_login(marketer)
    html = client.get("/marketing/").content.decode()
    heading = re.search(r"<h2>Content effectiveness.*?</h2>", html)
    assert heading is not None
    assert ">observational</span>" in heading.group(0)
    assert 'title="People who touched the asset against everyone else' in heading.group(0)
