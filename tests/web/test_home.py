"""The home page shows real numbers from the database, to any signed-in role."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from revloop.analytics.overview import home_figures, quarter_start
from revloop.users.models import User
from tests import factories


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-(?:figure|stage)="{name}"[^>]*>([^<]*)<', html)
    assert match, f"{name} not on the page"
    return match.group(1).strip()


@pytest.mark.django_db
def test_it_requires_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_login_with_the_right_password_reaches_home(client: Client, rep: User) -> None:
    response = client.post("/login/", {"username": "rob", "password": "pw-rob"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert b"Overview" in response.content


@pytest.mark.django_db
def test_login_with_a_wrong_password_is_refused(client: Client, rep: User) -> None:
    response = client.post("/login/", {"username": "rob", "password": "nope"})
    assert response.status_code == 200
    assert b"did not match" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["marketer", "rep", "manager", "viewer"])
def test_every_role_sees_the_same_numbers(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    now = timezone.now()
    for stage, n in (("lead", 3), ("mql", 2), ("customer", 1)):
        for _ in range(n):
            factories.person(stage=stage)
    subject = factories.person()
    factories.touch(person=subject, occurred_at=now - timedelta(days=1))
    factories.touch(person=subject, occurred_at=now - timedelta(days=29))
    factories.touch(person=subject, occurred_at=now - timedelta(days=31))  # too old
    factories.opportunity(
        stage="proposal", amount=Decimal("1000.50"), created_at=now - timedelta(days=2)
    )
    factories.opportunity(
        stage="discovery", amount=Decimal("500.00"), created_at=now - timedelta(days=90)
    )
    factories.opportunity(
        stage="negotiation",
        amount=Decimal("700.00"),
        currency="EUR",
        created_at=now - timedelta(days=90),
    )
    q_start = quarter_start(timezone.localdate(now))
    won_at = max(
        now - timedelta(hours=1),
        timezone.make_aware(timezone.datetime.combine(q_start, timezone.datetime.min.time())),
    )
    factories.opportunity(
        stage="won",
        amount=Decimal("2500.00"),
        created_at=now - timedelta(days=100),
        closed_at=won_at,
    )
    factories.opportunity(
        stage="won",
        amount=Decimal("9999.00"),
        created_at=now - timedelta(days=400),
        closed_at=now - timedelta(days=200),
    )
    factories.opportunity(
        stage="lost",
        amount=Decimal("8888.00"),
        created_at=now - timedelta(days=40),
        closed_at=now - timedelta(days=1),
    )

    client.force_login(request.getfixturevalue(persona))
    html = client.get("/").content.decode()

    assert _figure(html, "lead") == "4"
    assert _figure(html, "mql") == "2"
    assert _figure(html, "customer") == "1"
    assert _figure(html, "sal") == "0"
    assert _figure(html, "touches_30d") == "2"
    assert _figure(html, "opportunities_30d") == "1"
    assert _figure(html, "open_pipeline_USD") == "$1,501"
    assert re.search(r'data-amount="1500.50*" title="\$1,500.50"', html)
    assert _figure(html, "open_pipeline_EUR") == "€700"
    assert _figure(html, "won_quarter_USD") == "$2,500"
    assert "<svg" in html


@pytest.mark.django_db
def test_figures_keep_money_exact_per_currency() -> None:
    factories.opportunity(stage="proposal", amount=Decimal("0.10"))
    factories.opportunity(stage="proposal", amount=Decimal("0.20"))
    figures = home_figures()
    assert [(m.currency, m.amount) for m in figures.open_pipeline] == [("USD", Decimal("0.30"))]


def test_quarter_start() -> None:
    d = timezone.datetime(2026, 11, 24).date()
    assert quarter_start(d) == timezone.datetime(2026, 10, 1).date()
    assert (
        quarter_start(timezone.datetime(2026, 3, 31).date()) == timezone.datetime(2026, 1, 1).date()
    )


@pytest.mark.django_db
def test_pages_load_assets_from_revloop_itself(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (9_999, "9,999"),
        (12_345, "12.3k"),
        (939_688_500, "939.7M"),
        (2_500_000_000, "2.5B"),
    ],
)
def test_headline_amounts_are_compact(value: int, shown: str) -> None:
    from revloop.web.templatetags.revloop_format import compact

    assert compact(Decimal(value)) == shown
