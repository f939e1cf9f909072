"""Who may act on a lead: its owner, their manager, an admin; nobody else."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from revloop.core.errors import ForbiddenError, NotFoundError
from revloop.engine.vocabulary import Role
from revloop.feedback.access import access_lead_for_action, access_lead_for_reading
from revloop.users.models import User
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


def test_the_owner_their_manager_and_an_admin_may_act(team: Team) -> None:
    for user in (team.rep, team.manager, team.admin):
        assert access_lead_for_action(user, team.lead.pk) == team.lead


def test_a_manager_may_act_on_their_own_leads(team: Team) -> None:
    team.lead.owner = team.manager
    team.lead.save()
    assert access_lead_for_action(team.manager, team.lead.email) == team.lead


def test_another_rep_and_another_manager_are_refused(team: Team) -> None:
    with pytest.raises(
        ForbiddenError, match="owned by rob\\): sam may act only on their own leads"
    ):
        access_lead_for_action(team.other_rep, team.lead.pk)
    with pytest.raises(ForbiddenError, match="their own and their team's leads"):
        access_lead_for_action(team.other_manager, team.lead.pk)


def test_nobody_but_an_admin_acts_on_an_unassigned_lead(team: Team) -> None:
    for user in (team.rep, team.manager):
        with pytest.raises(ForbiddenError, match="owned by nobody"):
            access_lead_for_action(user, team.unassigned.pk)
    assert access_lead_for_action(team.admin, team.unassigned.pk) == team.unassigned


def test_roles_without_sales_may_not_act_but_may_read(
    team: Team, marketer: User, viewer: User, outsider: User
) -> None:
    for user in (marketer, viewer, outsider, None):
        with pytest.raises(
            ForbiddenError, match="needs the role sales_rep \\(their own\\), sales_manager"
        ):
            access_lead_for_action(user, team.lead.pk)
    assert access_lead_for_reading(marketer, team.lead.pk) == team.lead.pk
    assert access_lead_for_reading(viewer, team.lead.email) == team.lead.pk
    with pytest.raises(ForbiddenError):
        access_lead_for_reading(outsider, team.lead.pk)


def test_a_deactivated_owner_may_not_act(team: Team) -> None:
    team.rep.is_active = False
    team.rep.save()
    with pytest.raises(ForbiddenError):
        access_lead_for_action(team.rep, team.lead.pk)


def test_an_unknown_person_is_not_found(make_user: Callable[..., User]) -> None:
    with pytest.raises(NotFoundError):
        access_lead_for_action(make_user("al", Role.ADMIN), 999_999)
