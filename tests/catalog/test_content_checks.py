"""Every content asset's copy is held to the catalog: on save, and again on a new catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

import revloop.engine.demo
from revloop.activity.models import ContentAsset
from revloop.catalog.actions import do_check_all_content, do_check_content, do_save_catalog
from revloop.catalog.models import ContentCheck, ContentFinding
from revloop.core.errors import ForbiddenError
from revloop.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

BRIGHTLINE = (Path(revloop.engine.demo.__file__).parent / "offer_catalog.yaml").read_text()
PROMO = (
    "Running fewer than 50 vehicles? Get Brightline Starter today with a 30-day "
    "money-back guarantee and free shipping on your first sensor kit."
)
HONEST = "Wireless temperature sensors for reefers. Kits ship for a flat $49."


def asset(title: str, body: str, **fields: object) -> ContentAsset:
    return ContentAsset.objects.create(title=title, kind="landing_page", body=body, **fields)


def facts(item: ContentAsset) -> list[str]:
    return sorted(ContentFinding.objects.filter(asset=item).values_list("fact", flat=True))


def test_saving_an_asset_checks_its_copy_once_committed(marketer: User) -> None:
    do_save_catalog(BRIGHTLINE, by=marketer)
    promo = asset("Small Fleet Promo", PROMO)
    honest = asset("Cold Chain Sensors", HONEST)
    assert facts(promo) == ["free_shipping", "money_back"]
    assert facts(honest) == []
    assert ContentCheck.objects.get(asset=honest).findings_count == 0
    finding = ContentFinding.objects.filter(asset=promo, fact="money_back").get()
    assert "money-back guarantee" in finding.sentence
    assert finding.truth.startswith("There are no refunds")

    honest.body = HONEST + " Returns? Refund every cent, no questions asked."
    honest.save()
    assert facts(honest) == ["money_back"]


def test_a_new_catalog_version_rechecks_every_asset(marketer: User) -> None:
    do_save_catalog(BRIGHTLINE, by=marketer)
    honest = asset("Cold Chain Sensors", HONEST)
    assert facts(honest) == []
    # Brightline drops its shipping fee: the $49 on the page is now the wrong number.
    cheaper = BRIGHTLINE.replace(
        "value: {price: 49, currency: USD}", "value: {price: 39, currency: USD}"
    )
    version, new = do_save_catalog(cheaper, by=marketer)
    assert new
    assert facts(honest) == ["shipping_fee"]
    assert ContentCheck.objects.get(asset=honest).version == version


def test_without_a_catalog_nothing_is_checked_and_nothing_fails(marketer: User) -> None:
    promo = asset("Small Fleet Promo", PROMO)
    assert do_check_content(promo, by=marketer) is None
    assert not ContentCheck.objects.exists()


def test_checking_again_keeps_one_check_per_asset(marketer: User, manager: User) -> None:
    do_save_catalog(BRIGHTLINE, by=marketer)
    promo = asset("Small Fleet Promo", PROMO)
    first = ContentCheck.objects.get(asset=promo)
    assert do_check_content(promo, by=manager) == first  # nothing changed: kept
    forced = do_check_content(promo, by=manager, force=True)
    assert forced is not None
    assert forced.pk != first.pk
    assert ContentCheck.objects.filter(asset=promo).count() == 1
    assert facts(promo) == ["free_shipping", "money_back"]


def test_a_sales_rep_and_a_viewer_may_not_run_the_check(
    marketer: User, rep: User, viewer: User
) -> None:
    do_save_catalog(BRIGHTLINE, by=marketer)
    promo = asset("Small Fleet Promo", PROMO)
    for user in (rep, viewer):
        with pytest.raises(ForbiddenError, match="marketing, sales_manager or admin"):
            do_check_content(promo, by=user)
        with pytest.raises(ForbiddenError):
            do_check_all_content(by=user)
    assert [c.asset for c in do_check_all_content(by=marketer)] == [promo]


def test_the_admin_shows_an_assets_false_claims(marketer: User, make_user: object) -> None:
    do_save_catalog(BRIGHTLINE, by=marketer)
    promo = asset("Small Fleet Promo", PROMO)
    admin_user = User.objects.create_superuser("root", "root@example.com", "pw-root")
    client = Client()
    client.force_login(admin_user)
    listing = client.get("/admin/activity/contentasset/")
    assert listing.status_code == 200
    assert "free_shipping, money_back" in listing.content.decode()
    page = client.get(f"/admin/activity/contentasset/{promo.pk}/change/").content.decode()
    assert "There are no refunds once a subscription starts" in page
    assert "money-back guarantee and free shipping" in page
