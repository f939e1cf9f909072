"""``revloop webhook`` and the delivery log in the admin, which only admins can read."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from revloop.engine.vocabulary import Role
from revloop.users.models import User
from revloop.webhooks.actions import TEST_EVENT, emit
from revloop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from revloop.webhooks.signing import verify

from .conftest import Receiver

pytestmark = pytest.mark.django_db


def _json(*args: str) -> object:
    out = StringIO()
    call_command("webhook", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_add_list_and_test_an_endpoint(receiver: Receiver) -> None:
    """An endpoint is added with a generated secret, listed without it, and tested live."""
    added = _json("add", receiver.url, "--events", "lead.assigned,sla.warning", "--allow-private")
    assert isinstance(added, dict)
    assert added["events"] == ["lead.assigned", "sla.warning"]
    assert len(added["secret"]) >= 32

    listed = _json("list")
    assert listed == [
        {
            "id": added["id"],
            "url": receiver.url,
            "events": ["lead.assigned", "sla.warning"],
            "active": True,
            "description": "",
            "created_at": added["created_at"],
        }
    ]

    tested = _json("test", str(added["id"]))
    assert isinstance(tested, dict)
    assert (tested["outcome"], tested["status_code"]) == ("delivered", 200)
    [got] = receiver.requests
    assert got.json["event"] == TEST_EVENT
    assert "text" in got.json
    timestamp = int(got.headers["X-Revloop-Timestamp"])
    assert verify(added["secret"], timestamp, got.body, got.headers["X-Revloop-Signature"])
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_failing_test_delivery_exits_non_zero(receiver: Receiver) -> None:
    """The operator learns at once that the endpoint answers 500."""
    receiver.statuses = [500]
    endpoint = WebhookEndpoint.objects.create(
        url=receiver.url, events=["lead.accepted"], allow_private=True
    )
    with pytest.raises(CommandError, match="HTTP 500"):
        call_command("webhook", "test", str(endpoint.pk), stdout=StringIO())
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "ftp://example.com/x", "--events", "lead.assigned"], "not an http"),
        (["add", "https://example.com/x", "--events", "lead.assinged"], "choose from"),
        (["add", "https://example.com/x", "--events", "lead.assigned", "--secret", "short"], "16"),
        (["test", "999"], "no webhook endpoint 999"),
    ],
)
def test_bad_input_is_one_clear_error(args: list[str], message: str) -> None:
    """Each mistake names the field; nothing is stored."""
    with pytest.raises(CommandError, match=message):
        call_command("webhook", *args, stdout=StringIO())
    assert not WebhookEndpoint.objects.filter(url__startswith="ftp").exists()


@pytest.fixture
def delivery(receiver: Receiver) -> WebhookDelivery:
    WebhookEndpoint.objects.create(url=receiver.url, events=["lead.rejected"], allow_private=True)
    emit("lead.rejected", text="Rob rejected Ada: wrong target", data={"reason": "wrong_target"})
    return WebhookDelivery.objects.get()


def test_an_admin_reads_the_delivery_log(admin_user: User, delivery: WebhookDelivery) -> None:
    """The log lists each delivery with its event and status, and opens one."""
    client = Client()
    client.force_login(admin_user)
    listing = client.get("/admin/webhooks/webhookdelivery/")
    assert listing.status_code == 200
    assert b"lead.rejected" in listing.content
    page = client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert b"wrong_target" in page.content
    assert client.get("/admin/webhooks/webhookendpoint/add/").status_code == 200


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.SALES_MANAGER, Role.MARKETING, None])
def test_others_cannot_see_the_log_or_the_endpoints(
    make_user: Callable[..., User], role: Role | None, delivery: WebhookDelivery
) -> None:
    """Even with admin-site access, a non-admin cannot read deliveries or endpoint secrets."""
    user = make_user("staffer", role, is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/webhooks/webhookdelivery/").status_code == 403
    assert client.get("/admin/webhooks/webhookendpoint/").status_code == 403
    assert client.get("/admin/webhooks/webhookendpoint/add/").status_code == 403
    assert b"webhook" not in client.get("/admin/").content.lower()


def test_the_log_is_read_only_even_for_admins(admin_user: User, delivery: WebhookDelivery) -> None:
    """Deliveries are history: an admin reads them but cannot edit or delete them."""
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/webhooks/webhookdelivery/{delivery.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
