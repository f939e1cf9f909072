"""Versions and signatures: a draft takes effect only with both teams' approval."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from revloop.contracts.actions import (
    do_approve_contract,
    do_propose_contract,
    do_withdraw_contract,
    missing_signatures,
)
from revloop.contracts.models import (
    ContractApproval,
    ContractEvent,
    ContractStatus,
    ContractVersion,
)
from revloop.contracts.versions import active_contract, active_version, get_version
from revloop.core.append_only import AppendOnlyError
from revloop.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from revloop.engine.contract import default_contract_text
from revloop.engine.vocabulary import Role
from revloop.users.models import AuditEntry, User
from tests.contract_helpers import WIDER, contract_text, demo_request, near_person

pytestmark = pytest.mark.django_db


def test_the_shipped_contract_is_installed_as_version_1_on_first_use() -> None:
    assert not ContractVersion.objects.exists()
    version, contract = active_contract()
    assert (version.number, version.status, version.proposed_by) == (1, "active", None)
    assert version.text == default_contract_text()
    assert contract.name == "Default lead contract"
    assert [e.kind for e in version.events.all()] == ["proposed", "activated"]
    assert active_version() == version
    assert ContractVersion.objects.count() == 1


def test_a_proposal_is_a_draft_with_its_diff(marketer: User) -> None:
    draft = do_propose_contract(WIDER, by=marketer, source="q1.yaml", note="more MQLs")
    assert (draft.number, draft.status, draft.base.number) == (2, "draft", 1)
    assert draft.diff["changes"] == [
        {"kind": "changed", "path": "mql.min_grade", "old": "B", "new": "C"}
    ]
    assert "~ mql.min_grade: B → C" in draft.diff_text
    assert active_version().number == 1
    assert [(e.kind, e.by_user) for e in draft.events.all()] == [("proposed", marketer)]


def test_a_proposal_with_errors_is_refused_naming_line_and_key(marketer: User) -> None:
    with pytest.raises(InvalidInputError, match=r"q1.yaml:\d+ mql.min_grade: unknown value 'Z'"):
        do_propose_contract(
            contract_text(("  min_grade: B\n", "  min_grade: Z\n")), by=marketer, source="q1.yaml"
        )
    assert ContractVersion.objects.filter(status="draft").count() == 0


def test_proposing_what_is_already_in_force_is_refused(marketer: User) -> None:
    with pytest.raises(InvalidInputError, match=r"means exactly what v1 \(active\) says"):
        do_propose_contract(default_contract_text() + "\n# only a comment\n", by=marketer)
    do_propose_contract(WIDER, by=marketer)
    with pytest.raises(InvalidInputError, match=r"v2 \(draft\)"):
        do_propose_contract(WIDER, by=marketer)


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.MARKETING, True),
        (Role.SALES_MANAGER, True),
        (Role.ADMIN, True),
        (Role.SALES_REP, False),
        (Role.VIEWER, False),
        (None, False),
    ],
)
def test_who_may_propose(make_user: Callable[..., User], role: Role | None, may: bool) -> None:
    user = make_user("someone", role)
    if may:
        assert do_propose_contract(WIDER, by=user).status == "draft"
    else:
        with pytest.raises(ForbiddenError, match="may not propose a lead contract"):
            do_propose_contract(WIDER, by=user)


def test_marketing_and_a_sales_manager_together_activate_it(marketer: User, manager: User) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    first = do_approve_contract(draft.number, by=marketer)
    assert not first.activated
    assert first.missing == ("sales_manager",)
    assert active_version().number == 1

    second = do_approve_contract(draft.number, by=manager)
    assert second.activated
    assert active_version().number == 2
    old, new = get_version(1), get_version(2)
    assert (old.status, new.status) == ("superseded", "active")
    assert old.ended_at == new.activated_at
    assert [a.roles for a in new.approvals.all()] == [["marketing"], ["sales_manager"]]
    kinds = [(e.version.number, e.kind) for e in ContractEvent.objects.order_by("id")]
    assert kinds[-2:] == [(1, "superseded"), (2, "activated")]
    trail = AuditEntry.objects.filter(action="contract.approved").order_by("id")
    assert [(e.actor_name, e.object_id, e.detail["activates"]) for e in trail] == [
        ("mia", "2", False),
        ("mona", "2", True),
    ]
    assert "signed by mia (marketing), mona (sales_manager)" in new.events.last().note


def test_the_order_of_signatures_does_not_matter(marketer: User, manager: User) -> None:
    draft = do_propose_contract(WIDER, by=manager)
    assert do_approve_contract(draft.number, by=manager).missing == ("marketing",)
    assert do_approve_contract(draft.number, by=marketer).activated


def test_two_marketers_are_not_enough(marketer: User, make_user: Callable[..., User]) -> None:
    other = make_user("max", Role.MARKETING)
    draft = do_propose_contract(WIDER, by=marketer)
    do_approve_contract(draft.number, by=marketer)
    outcome = do_approve_contract(draft.number, by=other)
    assert not outcome.activated
    assert outcome.missing == ("sales_manager",)


def test_one_person_with_both_roles_signs_for_one_team_only(
    make_user: Callable[..., User], marketer: User, manager: User
) -> None:
    both = make_user("bo", Role.MARKETING)
    both.groups.add(*manager.groups.all())
    draft = do_propose_contract(WIDER, by=both)
    outcome = do_approve_contract(draft.number, by=both)
    assert not outcome.activated
    assert "second signer" in outcome.missing[0]
    assert do_approve_contract(
        draft.number, by=marketer
    ).activated  # either team's signer completes it


def test_a_dual_role_signer_plus_a_sales_manager_is_enough(
    make_user: Callable[..., User], manager: User
) -> None:
    both = make_user("bo", Role.MARKETING)
    both.groups.add(*manager.groups.all())
    draft = do_propose_contract(WIDER, by=both)
    do_approve_contract(draft.number, by=both)
    assert do_approve_contract(draft.number, by=manager).activated


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.VIEWER, Role.ADMIN, None])
def test_who_may_not_sign(
    make_user: Callable[..., User], marketer: User, role: Role | None
) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    user = make_user("someone", role)
    with pytest.raises(ForbiddenError, match="needs the role marketing or sales_manager;"):
        do_approve_contract(draft.number, by=user)
    assert not ContractApproval.objects.filter(user=user).exists()


def test_a_superuser_does_not_sign_for_a_team(marketer: User) -> None:
    root = User.objects.create_superuser("root", password="pw-root")
    draft = do_propose_contract(WIDER, by=marketer)
    do_approve_contract(draft.number, by=marketer)
    with pytest.raises(ForbiddenError, match="admins sign for neither team"):
        do_approve_contract(draft.number, by=root)
    assert get_version(draft.number).status == "draft"


def test_signing_twice_or_signing_a_non_draft_is_refused(marketer: User, manager: User) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    do_approve_contract(draft.number, by=marketer)
    with pytest.raises(InvalidInputError, match="mia has already approved v2"):
        do_approve_contract(draft.number, by=marketer)
    do_approve_contract(draft.number, by=manager)
    with pytest.raises(InvalidInputError, match="v2 is active; only drafts can be approved"):
        do_approve_contract(2, by=manager)
    with pytest.raises(NotFoundError, match="there is no contract version 9"):
        do_approve_contract(9, by=manager)


def test_activating_withdraws_drafts_made_against_the_old_version(
    marketer: User, manager: User
) -> None:
    wider = do_propose_contract(WIDER, by=marketer)
    other = do_propose_contract(
        contract_text(("  min_engagement: 40\n", "  min_engagement: 30\n")), by=manager
    )
    do_approve_contract(wider.number, by=marketer)
    do_approve_contract(wider.number, by=manager)
    stale = get_version(other.number)
    assert stale.status == "withdrawn"
    assert "propose it again" in stale.events.last().note
    with pytest.raises(InvalidInputError, match="only drafts can be approved"):
        do_approve_contract(other.number, by=marketer)


def test_activation_rescores_everyone_under_the_new_contract(marketer: User, manager: User) -> None:
    near = near_person()
    demo_request(near, timezone.now() - timedelta(hours=1))
    draft = do_propose_contract(WIDER, by=marketer)
    do_approve_contract(draft.number, by=marketer)
    outcome = do_approve_contract(draft.number, by=manager)
    assert outcome.rescored == 1
    near.refresh_from_db()
    assert (near.grade, near.fit_score, near.engagement_score) == ("C", 35, pytest.approx(50, 0.01))
    # Grade C is enough under the new contract: the rule promoted the lead, under v2.
    assert near.stage == "mql"
    move = near.transitions.get()
    assert (move.by_rule, move.contract_version.number) == ("mql", 2)


@pytest.mark.parametrize(
    ("who", "may"),
    [("proposer", True), ("marketer", True), ("admin", True), ("rep", False), ("viewer", False)],
)
def test_who_may_withdraw_a_draft(
    make_user: Callable[..., User], manager: User, who: str, may: bool
) -> None:
    draft = do_propose_contract(WIDER, by=manager)
    roles = {"marketer": Role.MARKETING, "admin": Role.ADMIN, "rep": Role.SALES_REP}
    user = manager if who == "proposer" else make_user(who, roles.get(who, Role.VIEWER))
    if may:
        assert do_withdraw_contract(draft.number, by=user, note="not now").status == "withdrawn"
        assert get_version(draft.number).events.last().note == "not now"
    else:
        with pytest.raises(ForbiddenError, match="may not withdraw a contract draft"):
            do_withdraw_contract(draft.number, by=user)
        assert get_version(draft.number).status == "draft"


def test_only_drafts_can_be_withdrawn(manager: User) -> None:
    active_version()
    with pytest.raises(InvalidInputError, match="v1 is active; only drafts can be withdrawn"):
        do_withdraw_contract(1, by=manager)


def test_a_version_never_changes_and_is_never_deleted(marketer: User) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    draft.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        draft.save()
    with pytest.raises(AppendOnlyError):
        ContractVersion.objects.filter(pk=draft.pk).update(text="rewritten")
    with pytest.raises(AppendOnlyError):
        ContractVersion.objects.filter(pk=draft.pk).delete()
    with pytest.raises(AppendOnlyError):
        draft.delete()
    table = ContractVersion._meta.db_table
    for sql in (
        f"UPDATE {table} SET text = 'x' WHERE id = %s",  # noqa: S608 - our own table
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608 - our own table
    ):
        with (
            pytest.raises((IntegrityError, DatabaseError), match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [draft.pk])
    assert get_version(draft.number).text == WIDER


def test_approvals_and_the_log_are_append_only(marketer: User) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    approval = do_approve_contract(draft.number, by=marketer).approval
    event = draft.events.get()
    for record in (approval, event):
        with pytest.raises(AppendOnlyError):
            record.save()
        with pytest.raises(AppendOnlyError):
            record.delete()
    with (
        pytest.raises((IntegrityError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE contracts_contractapproval SET roles = '[]'")


def test_only_one_version_is_ever_active(marketer: User) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractVersion.objects.filter(pk=draft.pk).update(status=ContractStatus.ACTIVE)


def test_missing_signatures_lists_what_is_left(marketer: User) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    assert missing_signatures(draft) == ("marketing", "sales_manager")


def test_the_admin_shows_versions_with_their_signatures_and_log(
    client: Client, marketer: User
) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    do_approve_contract(draft.number, by=marketer)
    root = User.objects.create_superuser("root", password="pw-root")
    client.force_login(root)
    page = client.get(f"/admin/contracts/contractversion/{draft.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "mql.min_grade: B → C" in html
    assert "mia" in html
    assert "proposed" in html
    listing = client.get("/admin/contracts/contractversion/")
    assert listing.status_code == 200
    assert client.get("/admin/contracts/contractevent/").status_code == 200
    assert client.get("/admin/scoring/scoringrun/").status_code == 200
