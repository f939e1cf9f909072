"""Lists ask the database as often for 20 rows as for 5: no query per row (N+1).

Each page and endpoint is read twice, with 5 and with 20 leads of the rep's, and the
number of queries must not grow with the rows. The count itself is pinned too
(:data:`PINNED`), so a page that starts asking more has to say so here: a change that
means it updates the figure in the same commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from revloop.contracts.versions import active_version
from revloop.users.models import ApiToken, User
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["/", "/inbox/", "/leads/", "/marketing/", "/pipeline/"]
#: Queries per read, (SQLite, PostgreSQL): the analytics on SQLite ask once more.
PINNED = {
    "/": (34, 33),
    "/inbox/": (8, 8),
    "/leads/": (9, 9),
    "/marketing/": (25, 24),
    "/pipeline/": (10, 10),
    "/api/v1/inbox": (8, 8),
    "/api/v1/analytics/leads?by=source": (7, 7),
    "/api/v1/goals": (4, 4),
    "/people/{pk}/": (17, 17),
    "/people/{pk}/brief/": (27, 27),
    "/api/v1/people/{pk}/brief": (20, 20),
}
ENDPOINTS = ["/api/v1/inbox", "/api/v1/analytics/leads?by=source", "/api/v1/goals"]


def _leads(owner: User, start: int, count: int) -> None:
    for n in range(start, start + count):
        factories.person(email=f"lead{n}@acme{n}.example", stage="mql", owner=owner)


def _pinned(path: str) -> int:
    on_sqlite, on_postgresql = PINNED[path]
    return on_sqlite if connection.vendor == "sqlite" else on_postgresql


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", PAGES)
def test_pages_ask_no_query_per_row(
    path: str, rep: User, make_user: Callable[..., User], client: Client
) -> None:
    active_version()
    client.force_login(rep)
    _leads(rep, 0, 5)
    _queries(client, path)  # caches warm (contract, sessions)
    few = _queries(client, path)
    _leads(rep, 5, 15)
    many = _queries(client, path)
    assert many <= few, f"{path}: {few} queries for 5 leads, {many} for 20"
    assert many == _pinned(path), f"{path}: {many} queries, pinned at {_pinned(path)}"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_list_endpoints_ask_no_query_per_row(path: str, rep: User) -> None:
    active_version()
    _, raw = ApiToken.issue(rep, "counts")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    _leads(rep, 0, 5)
    _queries(client, path)
    few = _queries(client, path)
    _leads(rep, 5, 15)
    many = _queries(client, path)
    assert many <= few, f"{path}: {few} queries for 5 leads, {many} for 20"
    assert many == _pinned(path), f"{path}: {many} queries, pinned at {_pinned(path)}"


@pytest.mark.parametrize(
    "path", ["/people/{pk}/", "/people/{pk}/brief/", "/api/v1/people/{pk}/brief"]
)
def test_a_persons_pages_ask_no_query_per_touch(path: str, rep: User, client: Client) -> None:
    active_version()
    client.force_login(rep)
    _, raw = ApiToken.issue(rep, "counts")
    if path.startswith("/api/"):
        client = Client(headers={"Authorization": f"Bearer {raw}"})
    lead = factories.person(email="ann@acme.example", stage="mql", owner=rep)
    for _ in range(5):
        factories.touch(person=lead)
    url = path.format(pk=lead.pk)
    _queries(client, url)
    few = _queries(client, url)
    for _ in range(15):
        factories.touch(person=lead)
    many = _queries(client, url)
    assert many <= few, f"{url}: {few} queries for 5 touches, {many} for 20"
    assert many == _pinned(path), f"{url}: {many} queries, pinned at {_pinned(path)}"


def test_a_query_per_row_planted_in_the_inbox_is_caught(
    rep: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: an N+1 put into the inbox's rows makes it fail."""
    from revloop.feedback import inbox
    from revloop.people.models import Person

    original = inbox._row

    def with_a_query_per_row(*args: Any, **kwargs: Any) -> Any:
        Person.objects.exists()
        return original(*args, **kwargs)

    monkeypatch.setattr(inbox, "_row", with_a_query_per_row)
    active_version()
    client.force_login(rep)
    _leads(rep, 0, 5)
    _queries(client, "/inbox/")
    few = _queries(client, "/inbox/")
    _leads(rep, 5, 15)
    assert _queries(client, "/inbox/") == few + 15
