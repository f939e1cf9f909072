"""A look-back is a number of days between 1 and 3650, wherever it is given."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from revloop.analytics.reports import AttributionParams
from revloop.core.errors import InvalidInputError
from revloop.users.models import User
from tests import factories

ABSURD = ["1e17", "inf", "-inf", "nan", "0", "3651"]


@pytest.fixture
def some_people(db: None) -> None:
    factories.person(email="ann@northwind.example", stage="mql")


@pytest.mark.usefixtures("some_people")
@pytest.mark.parametrize("endpoint", ["/api/v1/analytics/content", "/api/v1/analytics/attribution"])
@pytest.mark.parametrize("days", ABSURD)
def test_the_api_refuses_an_absurd_lookback_naming_it(
    endpoint: str, days: str, marketer: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(marketer).get(endpoint, {"lookback_days": days})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("lookback_days: ")
    assert "3650" in body["message"]


@pytest.mark.usefixtures("some_people")
@pytest.mark.parametrize("days", ["1e17", "inf", "nan"])
def test_the_marketing_page_says_what_is_wrong_with_the_lookback(days: str, marketer: User) -> None:
    client = Client()
    client.force_login(marketer)
    response = client.get("/marketing/", {"lookback_days": days})
    assert response.status_code == 400
    assert "lookback_days" in response.content.decode()
    assert "3650" in response.content.decode()


@pytest.mark.parametrize("days", [1.0, 90.0, 3650.0, None])
def test_a_sane_lookback_or_none_is_taken(days: float | None) -> None:
    assert AttributionParams(lookback_days=days).lookback_days == days


@pytest.mark.parametrize("days", [1e17, float("inf"), float("nan"), 0.5])
def test_the_parameters_refuse_an_absurd_lookback(days: float) -> None:
    with pytest.raises(InvalidInputError, match=r"^lookback_days: "):
        AttributionParams(lookback_days=days)
