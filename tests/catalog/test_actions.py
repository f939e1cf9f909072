"""Saving the offer catalog: who may, what a version records, what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from revloop.catalog.actions import CatalogTextInvalid, do_save_catalog
from revloop.catalog.models import CatalogStatus, CatalogVersion
from revloop.catalog.versions import active_catalog, active_checker, get_version
from revloop.core.append_only import AppendOnlyError
from revloop.core.errors import ForbiddenError, NotFoundError
from revloop.users.models import User

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).resolve().parents[1] / "data" / "copy_checks" / "catalog.yaml").read_text()


def test_a_marketer_saves_the_first_version_and_it_is_active(marketer: User) -> None:
    version, new = do_save_catalog(SAMPLE, by=marketer, note="first cut")
    assert new
    assert (version.number, version.status, version.company) == (1, "active", "Northwind")
    assert (version.created_by, version.note, version.text) == (marketer, "first cut", SAMPLE)
    assert version.created_at is not None
    assert active_catalog()[1].company == "Northwind"


def test_a_sales_manager_may_change_it_and_the_old_version_is_kept(
    marketer: User, manager: User
) -> None:
    first, _ = do_save_catalog(SAMPLE, by=marketer)
    second, new = do_save_catalog(SAMPLE.replace("days: 14", "days: 21"), by=manager)
    assert new
    assert second.number == 2
    first.refresh_from_db()
    assert first.status == CatalogStatus.SUPERSEDED
    assert first.ended_at == second.created_at
    assert CatalogVersion.objects.filter(status=CatalogStatus.ACTIVE).get() == second
    assert get_version("v1").text == SAMPLE


def test_saving_the_same_meaning_again_changes_nothing(marketer: User) -> None:
    first, _ = do_save_catalog(SAMPLE, by=marketer)
    again, new = do_save_catalog("# reworded comment\n" + SAMPLE, by=marketer)
    assert not new
    assert again == first
    assert CatalogVersion.objects.count() == 1


@pytest.mark.parametrize("role", ["rep", "viewer", "outsider"])
def test_reps_viewers_and_people_without_a_role_may_not(
    role: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(role)
    with pytest.raises(ForbiddenError, match="marketing, sales_manager or admin"):
        do_save_catalog(SAMPLE, by=user)
    assert not CatalogVersion.objects.exists()


def test_an_invalid_text_is_refused_with_its_line_and_field(marketer: User) -> None:
    broken = SAMPLE.replace("true: false", "true: perhaps", 1)
    with pytest.raises(CatalogTextInvalid) as raised:
        do_save_catalog(broken, by=marketer, source="offers.yaml")
    (error,) = raised.value.errors
    assert (error.path, error.source) == ("facts[0].true", "offers.yaml")
    assert f"offers.yaml:{error.line} facts[0].true" in raised.value.message
    assert not CatalogVersion.objects.exists()


def test_a_versions_text_never_changes(marketer: User) -> None:
    version, _ = do_save_catalog(SAMPLE, by=marketer)
    version.text = "company: Other"
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        CatalogVersion.objects.filter(pk=version.pk).update(text="x")
    with pytest.raises(AppendOnlyError):
        version.delete()


def test_checking_needs_a_saved_catalog(marketer: User) -> None:
    with pytest.raises(NotFoundError, match="no offer catalog"):
        active_checker()
    do_save_catalog(SAMPLE, by=marketer)
    version, checker = active_checker()
    assert version.number == 1
    assert [f.fact for f in checker.check("Free shipping!").findings] == ["free_shipping"]
