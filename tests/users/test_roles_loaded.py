"""A signed-in user's roles are read once per request, and a role change is seen at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from revloop.engine.vocabulary import Role
from revloop.users.actions import do_set_roles
from revloop.users.backends import ModelBackend
from revloop.users.models import User
from revloop.users.policy import allows, role_names

pytestmark = pytest.mark.django_db


def test_a_loaded_user_answers_every_role_question_without_a_query(
    make_user: Callable[..., User],
) -> None:
    user = ModelBackend().get_user(make_user("rob", Role.SALES_REP).pk)
    assert user is not None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert role_names(user) == {Role.SALES_REP.value}
            assert allows(user, "inbox.read")
    assert len(queries.captured_queries) == 0


def test_roles_changed_through_the_action_are_seen_by_the_same_loaded_user(
    make_user: Callable[..., User],
) -> None:
    admin = make_user("ada", Role.ADMIN)
    user = ModelBackend().get_user(make_user("rob", Role.SALES_REP).pk)
    assert user is not None
    do_set_roles(admin, user, [Role.VIEWER.value])
    assert role_names(user) == {Role.VIEWER.value}
    assert not allows(user, "inbox.read")


def test_an_inactive_user_is_not_loaded(make_user: Callable[..., User]) -> None:
    user = make_user("gone", Role.SALES_REP)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert ModelBackend().get_user(user.pk) is None
    assert ModelBackend().get_user(10**9) is None
