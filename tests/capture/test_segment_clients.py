"""The Segment and RudderStack Python libraries, sent to a running revloop, store their calls."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from revloop.activity.models import Touch
from revloop.people.models import Account, Person
from revloop.users.models import ApiToken, TokenScope, User

segment_client = pytest.importorskip("segment.analytics.client")
rudder_client = pytest.importorskip("rudderstack.analytics.client")


# On SQLite the server thread shares the test's in-memory connection, so the test's
# transaction is enough (and a flush could not delete the append-only rows); on
# PostgreSQL the server has its own connection and must see committed data.
pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


@pytest.fixture(scope="module")
def server(django_db_blocker: Any) -> Iterator[LiveServer]:
    """A running revloop speaking plain http, as the test settings do.

    The security middleware reads its settings once, when the server starts.
    """
    with django_db_blocker.unblock(), override_settings(SECURE_SSL_REDIRECT=False):
        running = LiveServer("localhost")
    running._live_server_modified_settings.enable()
    yield running
    running._live_server_modified_settings.disable()
    running.stop()


LIBRARIES: dict[str, Callable[..., Any]] = {
    "segment-analytics-python": segment_client.Client,
    "rudder-sdk-python": rudder_client.Client,
}


def _close_sessions() -> None:
    """End the libraries' keep-alive connections, so no server thread outlives its test."""
    for name in ("segment.analytics.request", "rudderstack.analytics.request"):
        sys.modules[name]._session.close()


@pytest.fixture(params=sorted(LIBRARIES))
def library(request: pytest.FixtureRequest, server: LiveServer, rep: User) -> Iterator[Any]:
    """A library client sending each call at once; a refused call raises."""
    write_key = ApiToken.issue(rep, "website", TokenScope.INGEST)[1]
    client = LIBRARIES[request.param](
        write_key,
        host=server.url,
        sync_mode=True,
        gzip=True,
        max_retries=0,
    )
    yield client
    client.flush()
    _close_sessions()


CAMPAIGN = {"name": "spring-launch", "source": "linkedin", "medium": "social"}


def test_a_visitor_journey_sent_by_the_library_is_stored(
    library: Any,
) -> None:
    client = library
    page_context = {
        "campaign": CAMPAIGN,
        "page": {"url": "https://acme.example/pricing", "referrer": "https://linkedin.com/"},
    }
    client.page(anonymous_id="anon-1", name="Pricing", context=page_context)
    client.track(
        anonymous_id="anon-1",
        event="Content Downloaded",
        properties={"asset": "buyers-guide.pdf"},
        message_id="download-1",
    )
    # A retry of the same message is one touch.
    client.track(anonymous_id="anon-1", event="Content Downloaded", message_id="download-1")
    client.identify(
        anonymous_id="anon-1",
        user_id="crm-1001",
        traits={"email": "ada@initech.example", "firstName": "Ada", "title": "CTO"},
    )
    client.track(user_id="crm-1001", event="Demo Requested")
    client.group(
        user_id="crm-1001",
        group_id="org-1",
        traits={"name": "Initech", "domain": "initech.example"},
    )
    client.flush()

    person = Person.objects.get(email="ada@initech.example")
    assert (person.first_name, person.title) == ("Ada", "CTO")
    touches = list(person.touches.order_by("occurred_at", "id"))
    assert [t.type for t in touches] == ["page_view", "content_download", "form_submit"]
    first = touches[0]
    assert (first.utm_campaign, first.utm_source, first.utm_medium) == (
        "spring-launch",
        "linkedin",
        "social",
    )
    assert first.url == "https://acme.example/pricing"
    assert touches[1].event_id == "download-1"
    assert person.account == Account.objects.get(properties__segment_group_id="org-1")


def test_alias_from_the_library_merges_two_people(library: Any) -> None:
    client = library
    client.identify(anonymous_id="device-1", traits={"email": "old@initech.example"})
    client.track(anonymous_id="device-1", event="Webinar Attended")
    client.identify(user_id="crm-7", traits={"email": "new@initech.example"})
    client.alias(previous_id="device-1", user_id="crm-7")
    client.flush()

    survivor = Person.objects.get()
    assert survivor.email == "new@initech.example"
    assert Touch.objects.get().person == survivor


def test_a_wrong_write_key_is_reported_to_the_library(server: LiveServer) -> None:
    for make in LIBRARIES.values():
        client = make("rl_wrong", host=server.url, sync_mode=True, max_retries=0)
        with pytest.raises(Exception, match="unknown or revoked write key") as refused:
            client.track(anonymous_id="a", event="Form Submitted")
        assert refused.value.status == 401  # type: ignore[attr-defined]
    _close_sessions()
    assert Touch.objects.count() == 0
