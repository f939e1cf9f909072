"""Money and dates given to a conversion are held to what the columns can keep."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from revloop.core.errors import InvalidInputError
from revloop.feedback.actions import do_convert_to_opportunity
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


def convert(client: Client, team: Team, **overrides: object) -> tuple[int, dict[str, object]]:
    body = {"name": "Northwind", "amount": "1200.50", "currency": "EUR", "close_date": "2027-02-01"}
    response = client.post(
        f"/api/v1/people/{team.lead.pk}/convert",
        json.dumps(body | overrides),
        content_type="application/json",
    )
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize("amount", [1e20, "1e20", "100000000000000", "1000000000000.00"])
def test_an_amount_beyond_the_column_is_a_422_and_nothing_is_stored(
    token_client: Callable[..., Client], team: Team, amount: object
) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    status, body = convert(token_client(team.rep), team, amount=amount)
    assert status == 422, body
    assert body["code"] == "invalid"
    assert "amount" in str(body["message"])
    assert not Opportunity.objects.exists()
    assert Person.objects.get(pk=team.lead.pk).stage == "sql"


def test_the_largest_amount_the_column_holds_is_taken_and_the_brief_reads_it(
    token_client: Callable[..., Client], team: Team
) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    client = token_client(team.rep)
    status, body = convert(client, team, amount="999999999999.99")
    assert status == 201, body
    assert body["amount"] == "999999999999.99"
    assert client.get(f"/api/v1/people/{team.lead.pk}/brief").status_code == 200


def test_the_service_refuses_an_amount_beyond_the_column(team: Team) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    with pytest.raises(InvalidInputError, match=r"amount: .* largest amount"):
        do_convert_to_opportunity(
            team.rep,
            team.lead,
            name="Northwind",
            amount=Decimal("1e20"),
            currency="EUR",
            close_date=date(2027, 2, 1),
        )
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("close_date", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_a_close_date_outside_the_sane_years_is_a_422(
    token_client: Callable[..., Client], team: Team, close_date: str
) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    status, body = convert(token_client(team.rep), team, close_date=close_date)
    assert status == 422, body
    assert "close_date" in str(body["message"])
    assert "1900-2200" in str(body["message"])
    assert not Opportunity.objects.exists()


def test_a_nul_in_the_name_is_a_422(token_client: Callable[..., Client], team: Team) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    status, body = convert(token_client(team.rep), team, name="North\x00wind")
    assert status == 422, body
    assert "name" in str(body["message"])
    assert "NUL" in str(body["message"])
    assert not Opportunity.objects.exists()
