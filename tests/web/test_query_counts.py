"""Lists ask the database as often for 20 rows as for 5: no query per row (N+1).

Each page and endpoint is read twice, with 5 and with 20 leads of the rep's, and the
number of queries must not grow with the rows.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from revloop.contracts.versions import active_version
from revloop.users.models import ApiToken, User
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["/", "/inbox/", "/leads/", "/marketing/", "/pipeline/"]
ENDPOINTS = ["/api/v1/inbox", "/api/v1/analytics/leads?by=source", "/api/v1/goals"]


def _leads(owner: User, start: int, count: int) -> None:
    for n in range(start, start + count):
        factories.person(email=f"lead{n}@acme{n}.example", stage="mql", owner=owner)


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
