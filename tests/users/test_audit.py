"""The audit trail: append-only, written by the actions, read and exported by admins only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from revloop.core.append_only import AppendOnlyError
from revloop.core.errors import ForbiddenError
from revloop.engine.vocabulary import Role
from revloop.users.actions import do_create_token, do_revoke_token, do_set_roles, record_audit
from revloop.users.models import AuditEntry, User

pytestmark = pytest.mark.django_db

ClientFor = Callable[..., Client]


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("ada", Role.ADMIN)


def test_an_entry_can_be_neither_rewritten_nor_deleted(admin: User) -> None:
    entry = record_audit(admin, "lead.assigned", object_type="person", object_id=7)
    entry.action = "lead.nothing"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    statements = (
        "UPDATE users_auditentry SET action = 'x'",
        "DELETE FROM users_auditentry",
    )
    for sql in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.get().action == "lead.assigned"


def test_a_token_created_revoked_and_used_is_on_the_trail(admin: User, rep: User) -> None:
    token, raw = do_create_token(admin, rep, "laptop")
    Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    do_revoke_token(rep, token.prefix)
    trail = list(AuditEntry.objects.order_by("id").values_list("actor_name", "action", "object_id"))
    assert trail == [
        ("ada", "token.created", token.prefix),
        ("rob", "token.used", token.prefix),
        ("rob", "token.revoked", token.prefix),
    ]
    assert raw not in str(AuditEntry.objects.values_list("detail", flat=True))


def test_a_rep_may_not_create_a_token_for_someone_else(rep: User, manager: User) -> None:
    with pytest.raises(ForbiddenError):
        do_create_token(rep, manager, "theirs")
    assert not AuditEntry.objects.exists()


def test_role_changes_are_recorded_and_only_admins_make_them(
    admin: User, rep: User, manager: User
) -> None:
    with pytest.raises(ForbiddenError):
        do_set_roles(manager, rep, ["admin"])
    do_set_roles(admin, rep, ["sales_manager"])
    entry = AuditEntry.objects.get()
    assert (entry.actor_name, entry.action, entry.object_id) == (
        "ada",
        "user.roles_changed",
        str(rep.pk),
    )
    assert entry.detail == {"username": "rob", "added": ["sales_manager"], "removed": ["sales_rep"]}


def test_a_role_given_in_the_admin_is_recorded(admin: User, rep: User) -> None:
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    viewer_group = rep.groups.model.objects.get_or_create(name="viewer")[0]
    response = client.post(
        f"/admin/users/user/{rep.pk}/change/",
        {
            "username": "rob",
            "groups": [viewer_group.pk],
            "time_zone": "UTC",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(action="user.roles_changed")
    assert entry.detail["added"] == ["viewer"]
    assert entry.detail["removed"] == ["sales_rep"]


def test_admins_filter_the_trail_and_others_are_refused(
    admin: User, rep: User, viewer: User, token_client: ClientFor
) -> None:
    record_audit(rep, "lead.stage_changed", object_type="person", object_id=1)
    record_audit(admin, "contract.approved", object_type="contract", object_id=3)
    for user in (rep, viewer):
        refused = token_client(user).get("/api/v1/audit")
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
    client = token_client(admin)
    # The admin's token is used once: that is on the trail too.
    body = client.get("/api/v1/audit", {"action": "lead."}).json()
    assert [(e["actor"], e["action"]) for e in body] == [("rob", "lead.stage_changed")]
    body = client.get("/api/v1/audit", {"actor": "ada", "object_type": "contract"}).json()
    assert [e["object_id"] for e in body] == ["3"]


def test_the_trail_exports_as_csv_with_formulas_neutralised(
    admin: User, make_user: Callable[..., User], token_client: ClientFor
) -> None:
    mallory = make_user("=HYPERLINK(1)")
    record_audit(mallory, "lead.stage_changed", object_type="person", object_id=9)
    response = token_client(admin).get("/api/v1/audit.csv", {"action": "lead."})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "detail"]
    assert rows[1][1:5] == ["'=HYPERLINK(1)", "lead.stage_changed", "person", "9"]
    assert len(rows) == 2
