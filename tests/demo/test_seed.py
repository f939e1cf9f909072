"""The demo company lands in the database whole, with working users and sequences."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from revloop.activity.models import Campaign, ContentAsset, Touch
from revloop.analytics.overview import company_stats, home_figures
from revloop.demo.seed import DEMO_PASSWORD, ensure_demo_users, is_empty, seed_demo
from revloop.engine.demo import DemoConfig, generate
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity, OpportunityChange, OpportunityContact
from revloop.users.models import User
from tests import factories

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEADS = 400


@pytest.fixture
def seeded(db: None) -> None:
    seed_demo(leads=LEADS, seed=11, now=NOW)


def _expected_heights() -> dict[str, int]:
    company = generate(DemoConfig(leads=LEADS, seed=11, now=NOW))
    heights = {
        "activity_campaign": company.campaigns.height,
        "activity_contentasset": company.content.height,
        "people_account": company.accounts.height,
    }
    for chunk in company.chunks():
        for table, frame in chunk.frames.items():
            heights[table] = heights.get(table, 0) + frame.height
    return heights


@pytest.mark.usefixtures("seeded")
def test_every_generated_row_is_stored() -> None:
    expected = _expected_heights()
    stored = {
        "activity_campaign": Campaign.objects.count(),
        "activity_contentasset": ContentAsset.objects.count(),
        "people_account": Account.objects.count(),
        "people_person": Person.objects.count(),
        "activity_touch": Touch.objects.count(),
        "lifecycle_stagetransition": StageTransition.objects.count(),
        "pipeline_opportunity": Opportunity.objects.count(),
        "pipeline_opportunitycontact": OpportunityContact.objects.count(),
        "pipeline_opportunitychange": OpportunityChange.objects.count(),
    }
    assert stored == expected
    assert stored["people_person"] == LEADS


@pytest.mark.usefixtures("seeded")
def test_demo_users_log_in_with_their_roles() -> None:
    roles = {u.username: sorted(u.roles) for u in User.objects.prefetch_related("groups")}
    assert {r for rs in roles.values() for r in rs} == {
        "marketing",
        "sales_rep",
        "sales_manager",
        "admin",
        "viewer",
    }
    username = next(name for name, rs in roles.items() if rs == ["sales_rep"])
    login = RequestFactory().post("/login/")  # the login throttle reads who asks
    assert authenticate(login, username=username, password=DEMO_PASSWORD) is not None
    reps = User.objects.filter(groups__name="sales_rep")
    assert {r.time_zone for r in reps} >= {"America/New_York", "Europe/Berlin"}
    assert all(r.manager is not None for r in reps)


@pytest.mark.usefixtures("seeded")
def test_owners_point_at_real_users() -> None:
    owned = Person.objects.filter(owner__isnull=False)
    assert owned.exists()
    assert set(owned.values_list("owner__groups__name", flat=True)) <= {
        "sales_rep",
        "sales_manager",
    }


@pytest.mark.usefixtures("seeded")
def test_new_rows_get_fresh_ids_after_the_seed() -> None:
    # Explicit ids were inserted; the sequences must have moved past them.
    created = factories.person(email="after.seed@example.com")
    assert created.pk > LEADS
    assert factories.account().pk > Account.objects.exclude(domain__startswith="acme").count()


@pytest.mark.usefixtures("seeded")
def test_stage_matches_the_last_transition() -> None:
    for person in Person.objects.order_by("?")[:50]:
        last = person.transitions.order_by("at", "id").last()
        assert last is not None
        assert last.to_stage == person.stage
        assert last.at == person.stage_changed_at


@pytest.mark.usefixtures("seeded")
def test_figures_reflect_the_seed() -> None:
    stats = company_stats()
    assert sum(stats.people_per_stage.values()) == LEADS
    assert stats.touches > 5 * LEADS
    figures = home_figures(now=NOW)
    assert figures.touches_last_30_days > 0
    assert figures.open_pipeline


@pytest.mark.django_db
def test_ensure_demo_users_is_idempotent() -> None:
    first = ensure_demo_users()
    second = ensure_demo_users()
    assert {k: u.pk for k, u in first.items()} == {k: u.pk for k, u in second.items()}


@pytest.mark.django_db
def test_an_empty_database_is_empty_and_a_seeded_one_is_not() -> None:
    assert is_empty()
    factories.person()
    assert not is_empty()
