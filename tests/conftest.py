"""Shared fixtures: one persona per role, a token client, the datasets folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from revloop.engine.vocabulary import Role
from revloop.users.models import ApiToken, TokenScope, User

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _test_server_settings(settings: Settings) -> None:
    # Pages render without `collectstatic`; the manifest storage is for serving.
    # The test client speaks plain http, as the demo does.
    settings.SECURE_SSL_REDIRECT = False
    # Password hashing is slow on purpose; tests need no protection from brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(username: str, role: Role | None = None, **fields: object) -> User:
        user = User.objects.create_user(username=username, password="pw-" + username, **fields)
        if role is not None:
            # get_or_create: a transactional test before this one may have flushed the
            # roles that a migration creates.
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        return user

    return make


@pytest.fixture
def marketer(make_user: Callable[..., User]) -> User:
    return make_user("mia", Role.MARKETING)


@pytest.fixture
def rep(make_user: Callable[..., User]) -> User:
    return make_user("rob", Role.SALES_REP)


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("mona", Role.SALES_MANAGER)


@pytest.fixture
def viewer(make_user: Callable[..., User]) -> User:
    return make_user("vic", Role.VIEWER)


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """An account with no role at all."""
    return make_user("otto")


@pytest.fixture
def token_client(db: None) -> Callable[..., Client]:
    def make(user: User, scope: str = TokenScope.FULL) -> Client:
        _, raw = ApiToken.issue(user, "test", scope)
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


@pytest.fixture
def datasets() -> Path:
    """The shared real data sets; tests that need them skip when absent."""
    path = Path(os.environ.get("REVLOOP_DATASETS", REPO.parent / "shared" / "datasets"))
    if not path.is_dir():
        pytest.skip(f"datasets folder {path} not present")
    return path


@pytest.fixture(scope="session")
def plain_live_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """A running revloop speaking plain http, as the test client does.

    pytest-django's `live_server` starts before any function-scoped settings apply (the
    security middleware reads SECURE_SSL_REDIRECT once, when the server starts), and its name
    alone makes every test that uses it flush the database, which the append-only tables of
    SQLite refuse: tests mark themselves transactional only where the server needs it.
    """
    with django_db_blocker.unblock(), override_settings(SECURE_SSL_REDIRECT=False):
        running = LiveServer("localhost")
    running._live_server_modified_settings.enable()
    yield running
    running._live_server_modified_settings.disable()
    running.stop()


@pytest.fixture
def act_as(db: None, monkeypatch: pytest.MonkeyPatch) -> Callable[[str | User], User]:
    """Commands act as the user of ``REVLOOP_TOKEN``: give it a token of this user."""

    def act(who: str | User) -> User:
        user = who if isinstance(who, User) else User.objects.get(username=who)
        _, raw = ApiToken.issue(user, "command line")
        monkeypatch.setenv("REVLOOP_TOKEN", raw)
        return user

    return act
