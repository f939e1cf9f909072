"""The demo company ships its catalog; the admin saves new versions through the action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client

from revloop.activity.models import ContentAsset
from revloop.catalog.models import CatalogVersion
from revloop.catalog.versions import active_checker
from revloop.demo.seed import seed_demo
from revloop.engine.demo.catalog import CONTENT
from revloop.engine.vocabulary import Role
from revloop.users.models import User

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).resolve().parents[1] / "data" / "copy_checks" / "catalog.yaml").read_text()
ADD = "/admin/catalog/catalogversion/add/"


def test_the_demo_company_saves_its_catalog_and_its_copy_checks_against_it() -> None:
    seed_demo(leads=300, seed=5, now=datetime(2026, 11, 20, 12, tzinfo=UTC))
    version, checker = active_checker()
    assert version.company == "Brightline"
    assert version.created_by is not None
    assert Role.MARKETING.value in version.created_by.roles
    flagged = {
        asset.title for asset in ContentAsset.objects.all() if checker.check(asset.body).findings
    }
    assert flagged == {spec.title for spec in CONTENT if spec.false_promise}


@pytest.fixture
def staff(make_user: Callable[..., User]) -> Callable[[Role], Client]:
    def login(role: Role) -> Client:
        user = make_user(f"staff-{role.value}", role, is_staff=True)
        client = Client()
        client.force_login(user)
        return client

    return login


def test_a_marketer_saves_a_version_in_the_admin(staff: Callable[[Role], Client]) -> None:
    client = staff(Role.MARKETING)
    response = client.post(ADD, {"text": SAMPLE, "note": "from the admin"})
    assert response.status_code == 302
    version = CatalogVersion.objects.get()
    assert (version.status, version.note, version.created_by.username) == (
        "active",
        "from the admin",
        "staff-marketing",
    )


def test_the_admin_shows_each_error_with_its_line(staff: Callable[[Role], Client]) -> None:
    client = staff(Role.SALES_MANAGER)
    broken = SAMPLE.replace("kind: subscription", "kind: rental")
    response = client.post(ADD, {"text": broken, "note": ""})
    assert response.status_code == 200
    assert (
        "catalog.yaml:7 products[0].kind: unknown value &#x27;rental&#x27;"
        in response.content.decode()
    )
    assert not CatalogVersion.objects.exists()


def test_a_rep_cannot_add_a_version_in_the_admin(staff: Callable[[Role], Client]) -> None:
    assert staff(Role.SALES_REP).get(ADD).status_code == 403
