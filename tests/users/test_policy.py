"""The access policy: each role's reach per permission, ownership, and what a refusal says."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from revloop.core.errors import ForbiddenError
from revloop.engine.vocabulary import Role
from revloop.users.models import User
from revloop.users.policy import PERMISSIONS, Reach, allows, owner_scope, reach, require
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    """One user per role, a manager with one report, and a rep on another team."""
    manager = make_user("mona", Role.SALES_MANAGER)
    return {
        "marketing": make_user("mia", Role.MARKETING),
        "sales_rep": make_user("rob", Role.SALES_REP, manager=manager),
        "sales_manager": manager,
        "admin": make_user("ada", Role.ADMIN),
        "viewer": make_user("vic", Role.VIEWER),
        "none": make_user("otto"),
        "other_rep": make_user("sam", Role.SALES_REP),
    }


@pytest.mark.parametrize("permission", sorted(PERMISSIONS))
@pytest.mark.parametrize("role", [*(r.value for r in Role), "none"])
def test_without_a_record_each_role_gets_what_the_table_gives(
    people: dict[str, User], permission: str, role: str
) -> None:
    declared = role != "none" and Role(role) in PERMISSIONS[permission].reach
    assert allows(people[role], permission) is declared
    assert (reach(people[role], permission) > Reach.NONE) is declared


def test_a_rep_works_their_own_leads_a_manager_their_teams_an_admin_all(
    people: dict[str, User],
) -> None:
    rob, sam = people["sales_rep"], people["other_rep"]
    robs, sams, nobodys = (
        factories.person(owner=rob),
        factories.person(owner=sam),
        factories.person(),
    )
    assert allows(rob, "lead.work", robs)
    assert not allows(rob, "lead.work", sams)
    assert not allows(rob, "lead.work", nobodys)
    assert allows(people["sales_manager"], "lead.work", robs)
    assert not allows(people["sales_manager"], "lead.work", sams)
    assert not allows(people["sales_manager"], "lead.work", nobodys)
    for lead in (robs, sams, nobodys):
        assert allows(people["admin"], "lead.work", lead)
        for role in ("marketing", "viewer", "none"):
            assert not allows(people[role], "lead.work", lead)
    mine = owner_scope(people["sales_manager"], "lead.work")
    assert [mine(rob.pk), mine(sam.pk), mine(None)] == [True, False, False]


def test_a_manager_reassigns_only_within_their_team(people: dict[str, User]) -> None:
    mona, rob, sam = people["sales_manager"], people["sales_rep"], people["other_rep"]
    assert allows(mona, "lead.reassign", factories.person(owner=rob))
    assert allows(mona, "lead.reassign", rob)
    assert not allows(mona, "lead.reassign", factories.person(owner=sam))
    assert not allows(mona, "lead.reassign", sam)
    assert allows(people["admin"], "lead.reassign", sam)
    assert not allows(rob, "lead.reassign", factories.person(owner=rob))


def test_who_may_own_leads(people: dict[str, User]) -> None:
    owners = {role for role, user in people.items() if allows(user, "lead.own")}
    assert owners == {"sales_rep", "sales_manager", "other_rep"}


def test_a_superuser_is_an_admin_and_an_inactive_user_nobody(
    people: dict[str, User],
) -> None:
    root = User.objects.create_superuser("root", password="pw-root")
    assert allows(root, "admin.manage")
    assert not allows(root, "contract.approve")  # a signature is a team's
    ada = people["admin"]
    ada.is_active = False
    ada.save()
    assert not allows(ada, "people.read")
    assert not allows(None, "people.read")


def test_marketing_sets_marketings_goals_only_when_leading_others(
    people: dict[str, User], make_user: Callable[..., User]
) -> None:
    mia = people["marketing"]
    assert not allows(mia, "goal.set", "marketing")
    make_user("max", Role.MARKETING, manager=mia)
    assert allows(mia, "goal.set", "marketing")
    assert not allows(mia, "goal.set", "sales")
    assert allows(people["sales_manager"], "goal.set", "marketing")


def test_a_refusal_says_what_is_missing_and_who_grants_it(people: dict[str, User]) -> None:
    with pytest.raises(ForbiddenError) as refused:
        require(people["viewer"], "pipeline.dismiss")
    error = refused.value
    assert (error.status, error.code, error.permission) == (403, "forbidden", "pipeline.dismiss")
    assert error.roles == ("sales_manager", "admin")
    assert error.message == (
        "vic may not dismiss a pipeline flag: that needs the role sales_manager or admin;"
        " they have viewer. Roles are granted by an admin (Users in the admin site)."
    )
    lead = factories.person(owner=people["other_rep"])
    with pytest.raises(ForbiddenError, match="rob may act only on their own leads"):
        require(people["sales_rep"], "lead.work", lead, what=lead.email)


def test_an_unknown_permission_is_a_programming_error(people: dict[str, User]) -> None:
    with pytest.raises(KeyError, match=r"no permission 'lead\.eat'"):
        allows(people["admin"], "lead.eat")
