"""Every admin action, for every role: it acts or is refused as the access policy says.

Each persona is staff and holds all of Django's permissions on the action's model (an
account let into the admin site), so what decides is revloop's policy, not Django's
model permissions. An admin action without a rule below fails
:func:`test_every_admin_action_declares_its_rule`. Django's own ``delete_selected``
follows the model's delete permission (refused on every history table, see
``core.admin.HistoryAdmin``) and is not listed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from revloop.contracts.versions import active_version
from revloop.engine.vocabulary import Role
from revloop.people.models import Person
from revloop.users.actions import record_audit
from revloop.users.models import User
from revloop.users.policy import PERMISSIONS, ROLE_NAMES, allows
from tests import factories

#: "app_label.model:action" → the permission of revloop.users.policy it needs.
ADMIN_ACTION_RULES = {
    "people.person:merge_selected": "people.merge",
    "people.person:export_selected": "personal_data.handle",
    "people.person:erase_selected": "personal_data.handle",
    "users.auditentry:export_csv": "audit.read",
    "axes.accessattempt:cleanup_expired_attempts": "admin.manage",
}


def _admin_actions() -> list[str]:
    return sorted(
        f"{model._meta.label_lower}:{action if isinstance(action, str) else action.__name__}"
        for model, model_admin in admin.site._registry.items()
        for action in model_admin.actions or ()
    )


def test_every_admin_action_declares_its_rule() -> None:
    assert sorted(set(_admin_actions()) - set(ADMIN_ACTION_RULES)) == []
    assert sorted(set(ADMIN_ACTION_RULES) - set(_admin_actions())) == []
    assert set(ADMIN_ACTION_RULES.values()) <= set(PERMISSIONS)


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, Any]:
    active_version()
    manager = make_user("mona", Role.SALES_MANAGER)
    personas = {
        "marketing": make_user("mia", Role.MARKETING),
        "sales_rep": make_user("rob", Role.SALES_REP, manager=manager),
        "sales_manager": manager,
        "admin": make_user("ada", Role.ADMIN),
        "viewer": make_user("vic", Role.VIEWER),
        "none": make_user("otto"),
    }
    for user in personas.values():
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    first = factories.person(email="first@x.example", owner=personas["sales_rep"])
    second = factories.person(email="second@x.example")
    record_audit(personas["admin"], "lead.assigned", object_type="person", object_id=first.pk)
    return {"personas": personas, "first": first, "second": second}


def _with_model_rights(user: User, label: str) -> Client:
    app_label, model = label.split(".")
    kind = ContentType.objects.get(app_label=app_label, model=model)
    user.user_permissions.add(*Permission.objects.filter(content_type=kind))
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))  # permissions are cached per object
    return client


def _run(client: Client, key: str, selected: list[int]) -> Any:
    label, action = key.split(":")
    app_label, model = label.split(".")
    return client.post(
        f"/admin/{app_label}/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in selected], "index": "0"},
        follow=True,
    )


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _acted(key: str, response: Any, world: dict[str, Any]) -> bool:
    """Whether the action did its work (the records and the answer say so)."""
    kind = response.get("Content-Type", "")
    if key.endswith("export_selected"):
        return response.status_code == 200 and kind.startswith("application/json")
    if key.endswith("export_csv"):
        return response.status_code == 200 and kind.startswith("text/csv")
    if key.endswith("merge_selected"):
        return not Person.objects.filter(pk=world["second"].pk).exists()
    if key.endswith("erase_selected"):
        return not Person.objects.filter(email="second@x.example").exists()
    return "Cleaned up" in _messages(response)


def _selection(key: str, world: dict[str, Any]) -> list[int]:
    if key.startswith("people.person"):
        ids = [world["first"].pk, world["second"].pk]
        return ids if key.endswith("merge_selected") else [world["second"].pk]
    if key.startswith("users.auditentry"):
        from revloop.users.models import AuditEntry

        return list(AuditEntry.objects.values_list("pk", flat=True))
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="x", ip_address="127.0.0.1", failures_since_start=1, attempt_time=timezone.now()
    )
    return [attempt.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("key", sorted(ADMIN_ACTION_RULES))
def test_admin_actions_act_for_whom_the_policy_allows(
    people: dict[str, Any], role: str, key: str
) -> None:
    user = people["personas"][role]
    client = _with_model_rights(user, key.split(":", maxsplit=1)[0])
    response = _run(client, key, _selection(key, people))
    allowed = allows(user, ADMIN_ACTION_RULES[key])
    assert response.status_code < 500
    assert _acted(key, response, people) == allowed, (role, key, response.status_code)
