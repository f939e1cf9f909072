"""Converting a lead opens a deal: stage moves, opportunity, contact and history together."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.engine.contract import default_contract
from revloop.engine.lifecycle import Mover, conversion_path
from revloop.engine.vocabulary import LifecycleStage, Role
from revloop.feedback.actions import do_convert_to_opportunity
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity, OpportunityChange
from revloop.users.models import User
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db
CLOSE = date(2027, 3, 31)


def convert(user: User | None, person: Person, **overrides: object) -> Opportunity:
    values: dict[str, object] = {
        "name": "Northwind fleet rollout",
        "amount": Decimal("48000.00"),
        "currency": "eur",
        "close_date": CLOSE,
    }
    return do_convert_to_opportunity(user, person, **(values | overrides))  # type: ignore[arg-type]


def test_from_sql_one_move_and_a_deal_with_its_history(team: Team) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    deal = convert(team.rep, team.lead)
    assert (deal.name, deal.amount, deal.currency, deal.stage, deal.close_date) == (
        "Northwind fleet rollout",
        Decimal("48000.00"),
        "EUR",
        "discovery",
        CLOSE,
    )
    assert (deal.account, deal.primary_contact, deal.owner) == (
        team.lead.account,
        team.lead,
        team.rep,
    )
    assert list(deal.contacts.all()) == [team.lead]
    change = OpportunityChange.objects.get(opportunity=deal)
    assert (change.field, change.old_value, change.new_value, change.by_user) == (
        "stage",
        "",
        "discovery",
        team.rep,
    )
    moves = list(StageTransition.objects.values_list("from_stage", "to_stage"))
    assert moves == [("sql", "opportunity")]
    assert Person.objects.get(pk=team.lead.pk).stage == "opportunity"


def test_from_sal_it_qualifies_on_the_way(team: Team) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sal")
    convert(team.manager, team.lead)
    moves = list(StageTransition.objects.order_by("id").values_list("from_stage", "to_stage"))
    assert moves == [("sal", "sql"), ("sql", "opportunity")]


def test_from_mql_it_is_refused_and_nothing_is_written(team: Team) -> None:
    with pytest.raises(InvalidInputError, match="MQL → Opportunity is not an allowed move"):
        convert(team.rep, team.lead)
    assert not Opportunity.objects.exists()
    assert not StageTransition.objects.exists()


def test_a_failure_after_the_moves_rolls_the_moves_back(team: Team) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sal")
    with pytest.raises(InvalidInputError, match="role"):
        convert(team.rep, team.lead, role="sponsor")
    assert Person.objects.get(pk=team.lead.pk).stage == "sal"
    assert not StageTransition.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-5", "amount: '-5' must be zero or more"),
        ("amount", "12.345", "more than two decimals"),
        ("amount", "lots", "is not a number"),
        ("currency", "euro", "not a three-letter currency code"),
        ("name", " ", "name: may not be empty"),
    ],
)
def test_bad_deal_values_are_refused(team: Team, field: str, value: str, message: str) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    with pytest.raises(InvalidInputError, match=message):
        convert(team.rep, team.lead, **{field: value})
    assert not Opportunity.objects.exists()


def test_another_rep_and_a_viewer_may_not_convert(team: Team, viewer: User) -> None:
    Person.objects.filter(pk=team.lead.pk).update(stage="sql")
    for user in (team.other_rep, viewer):
        with pytest.raises(ForbiddenError):
            convert(user, team.lead)
    assert not Opportunity.objects.exists()


def test_the_conversion_path_follows_the_contract() -> None:
    contract = default_contract()
    sales = Mover.user(Role.SALES_REP)
    assert conversion_path(contract, LifecycleStage.SQL, sales) == [LifecycleStage.OPPORTUNITY]
    assert conversion_path(contract, LifecycleStage.SAL, sales) == [
        LifecycleStage.SQL,
        LifecycleStage.OPPORTUNITY,
    ]
    assert conversion_path(contract, LifecycleStage.MQL, sales) == []
    assert conversion_path(contract, LifecycleStage.SAL, Mover.user(Role.MARKETING)) == []
