"""Webhooks go to public addresses only, checked at save and again at each delivery,
unless an admin allows a private target explicitly."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.engine.vocabulary import Role
from revloop.users.models import AuditEntry, User
from revloop.webhooks.actions import deliver, do_add_endpoint, do_allow_private_target, emit
from revloop.webhooks.models import WebhookDelivery
from revloop.webhooks.targets import PrivateTargetError, resolve_public

from .conftest import Receiver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
    ],
)
def test_a_target_that_is_not_public_is_refused_at_save(url: str) -> None:
    with pytest.raises(PrivateTargetError, match="not a public address"):
        do_add_endpoint(url, ["lead.assigned"])


def test_a_public_address_is_accepted() -> None:
    assert resolve_public("https://93.184.215.14/hook") == "93.184.215.14"


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A resolver whose answers the test changes, as a rebinding attacker's would."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> object:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_name_rebound_to_loopback_after_saving_is_not_called(
    fake_dns: dict[str, str], receiver: Receiver
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    fake_dns["hooks.example.com"] = "93.184.215.14"
    endpoint = do_add_endpoint(f"http://hooks.example.com:{port}/hook", ["lead.assigned"])
    fake_dns["hooks.example.com"] = "127.0.0.1"  # the attacker's DNS changes its answer
    emit("lead.assigned", text="x", data={})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    attempt = deliver(str(delivery.id))
    assert attempt.outcome == "retry"
    assert "not a public address" in attempt.error
    assert receiver.requests == []


def test_an_allowed_private_target_is_connected_to_the_checked_address(
    fake_dns: dict[str, str], receiver: Receiver, make_user: Callable[..., User]
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    fake_dns["intranet.example"] = "127.0.0.1"
    admin = make_user("ada", Role.ADMIN)
    endpoint = do_add_endpoint(
        f"http://intranet.example:{port}/hook", ["lead.assigned"], by=admin, allow_private=True
    )
    emit("lead.assigned", text="x", data={})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert deliver(str(delivery.id)).outcome == "delivered"
    [got] = receiver.requests
    assert got.headers["Host"] == f"intranet.example:{port}"
    entry = AuditEntry.objects.get(action="webhook.private_allowed")
    assert entry.actor_name == "ada"


def test_only_an_admin_allows_a_private_target(
    make_user: Callable[..., User], fake_dns: dict[str, str]
) -> None:
    fake_dns["hooks.example.com"] = "93.184.215.14"
    marketer = make_user("mia", Role.MARKETING)
    with pytest.raises(ForbiddenError):
        do_add_endpoint("http://10.0.0.5/hook", ["lead.assigned"], by=marketer, allow_private=True)
    endpoint = do_add_endpoint("http://hooks.example.com/hook", ["lead.assigned"])
    with pytest.raises(ForbiddenError):
        do_allow_private_target(marketer, endpoint)
    endpoint.refresh_from_db()
    assert endpoint.allow_private is False
    do_allow_private_target(make_user("ada", Role.ADMIN), endpoint)
    endpoint.refresh_from_db()
    assert endpoint.allow_private is True


def test_an_unresolvable_host_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="cannot resolve"):
        do_add_endpoint("http://no-such-host.invalid/hook", ["lead.assigned"])
