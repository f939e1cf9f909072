"""Every operation of the OpenAPI document, fed what its schema allows and more: never a 5xx.

Bounded for CI (a few examples per operation); ``REVLOOP_FUZZ_EXAMPLES`` runs it longer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from pytest_django.fixtures import Settings

from revloop.api.api import api
from revloop.engine.vocabulary import Role
from revloop.users.models import ApiToken, User
from tests import factories

EXAMPLES = int(os.environ.get("REVLOOP_FUZZ_EXAMPLES", "4"))


class _App:
    """The WSGI app the cases call, rebuilt per test: middleware reads its settings when
    the handler is built, so it must be built under the test's settings (plain http)."""

    handler: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.handler(environ, start_response)


APP = _App()
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = APP

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


@pytest.fixture
def bearer(make_user: Callable[..., User], settings: Settings) -> Iterator[dict[str, str]]:
    settings.ALLOWED_HOSTS = ["*"]
    APP.handler = get_wsgi_application()
    # As Django's test client does: a request must not close the test's connection,
    # whose open transaction holds the test's data.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    admin = make_user("ada", Role.ADMIN)
    factories.person(email="ann@northwind.example", owner=admin, stage="sql")
    _, raw = ApiToken.issue(admin, "fuzz")
    yield {"Authorization": f"Bearer {raw}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error_or_an_undocumented_status(
    case: schemathesis.Case, bearer: dict[str, str]
) -> None:
    response = case.call(headers=bearer)
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    assert response.status_code not in {301, 302}, "the requests never reached the API"
    documented = case.operation.definition.raw["responses"]
    # 405 answers a method the path does not have: no operation to document it on.
    if response.status_code != 405:
        assert str(response.status_code) in documented, (case.as_curl_command(), list(documented))
