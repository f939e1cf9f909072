"""A misinformed lead, traced: the rep's verdict names the belief, revloop finds the
content that made the claim, and the report and the brief show it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

import revloop.engine.demo
from revloop.activity.models import Campaign, ContentAsset
from revloop.analytics.misinformed import misinformed_report
from revloop.catalog.actions import do_check_all_content, do_save_catalog
from revloop.core.append_only import AppendOnlyError
from revloop.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from revloop.feedback.actions import do_give_verdict
from revloop.feedback.beliefs import trace
from revloop.feedback.brief import handoff_brief
from revloop.feedback.models import MisinformedBelief
from revloop.lifecycle.models import StageTransition
from revloop.users.models import User
from tests import factories
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db

BRIGHTLINE = (Path(revloop.engine.demo.__file__).parent / "offer_catalog.yaml").read_text()
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def copy(team: Team, marketer: User) -> dict[str, ContentAsset]:
    """Two assets promise free shipping (an e-mail and a checklist), one is honest; the
    lead saw the e-mail and the honest page, then was judged."""
    do_save_catalog(BRIGHTLINE, by=marketer)
    launch = Campaign.objects.create(name="Product Launch - Cold Chain", channel="email")
    assets = {
        "email": ContentAsset.objects.create(
            title="Introducing Cold Chain Sensor Kits",
            kind="email",
            campaign=launch,
            body="Our new sensor kits bring door alerts to every trailer. They ship at no cost.",
        ),
        "checklist": ContentAsset.objects.create(
            title="The Sensor Kit Buying Checklist",
            kind="ebook",
            body="Every Brightline sensor kit comes with free shipping.",
        ),
        "honest": ContentAsset.objects.create(
            title="Cold Chain Sensors", kind="landing_page", body="Kits ship for a flat $49."
        ),
    }
    # Saved inside the test's transaction: check them as the commit would.
    do_check_all_content(by=None)
    earlier = timezone.now() - timedelta(days=3)
    for key in ("email", "honest"):
        factories.touch(
            person=team.lead,
            content=assets[key],
            campaign=assets[key].campaign,
            type="email_open" if key == "email" else "page_view",
            occurred_at=earlier,
        )
    return assets


def test_the_rep_names_the_belief_in_words_and_it_is_traced_to_the_email(
    team: Team, copy: dict[str, ContentAsset]
) -> None:
    record = do_give_verdict(
        team.rep,
        team.lead,
        "reject",
        "misinformed",
        "wanted to order ten kits",
        belief="She thought shipping was free",
    )
    belief = MisinformedBelief.objects.get(transition=record)
    assert (belief.fact, belief.said, belief.user, belief.person) == (
        "free_shipping",
        "She thought shipping was free",
        team.rep,
        team.lead,
    )
    traced = trace(team.lead.pk, belief.fact, record.at)
    # Only what she saw that makes the claim: not the checklist, not the honest page.
    assert [(t.title, t.campaign) for t in traced] == [
        ("Introducing Cold Chain Sensor Kits", "Product Launch - Cold Chain")
    ]
    assert traced[0].sentence == "They ship at no cost."
    assert traced[0].truth.startswith("Cold Chain Sensor Kits ship for a flat fee of $49")
    with pytest.raises(AppendOnlyError):
        belief.save()


def test_a_fact_id_is_taken_as_it_is_and_a_belief_needs_the_misinformed_reason(
    team: Team, copy: dict[str, ContentAsset]
) -> None:
    with pytest.raises(InvalidInputError, match="only a verdict with reason code 'misinformed'"):
        do_give_verdict(team.rep, team.lead, "reject", "no_budget", belief="free_shipping")
    with pytest.raises(InvalidInputError, match="matches no claim of catalog v1; pick one of"):
        do_give_verdict(team.rep, team.lead, "reject", "misinformed", belief="he was rude")
    assert not StageTransition.objects.filter(person=team.lead).exists()
    record = do_give_verdict(team.rep, team.lead, "reject", "misinformed", belief="money_back")
    assert record.belief.fact == "money_back"
    assert record.belief.said == ""


def test_someone_who_may_not_judge_the_lead_records_no_belief(
    team: Team, copy: dict[str, ContentAsset], marketer: User
) -> None:
    for user in (team.other_rep, marketer):
        with pytest.raises(ForbiddenError):
            do_give_verdict(user, team.lead, "reject", "misinformed", belief="free_shipping")
    assert not MisinformedBelief.objects.exists()


def test_without_a_catalog_a_belief_cannot_be_read(team: Team) -> None:
    with pytest.raises(NotFoundError, match="no offer catalog"):
        do_give_verdict(team.rep, team.lead, "reject", "misinformed", belief="free shipping")


def test_the_report_charges_the_email_and_not_the_honest_page(
    team: Team, copy: dict[str, ContentAsset]
) -> None:
    do_give_verdict(team.rep, team.lead, "reject", "misinformed", belief="free shipping")
    # Two other judged leads who saw nothing, accepted.
    for n in range(2):
        other = factories.person(email=f"ok{n}@b.example", owner=team.rep, stage="mql")
        do_give_verdict(team.rep, other, "accept")
    report = misinformed_report()
    assert (report["judged"], report["misinformed"], report["with_belief"]) == (3, 1, 1)
    rows = {row["title"]: row for row in report["assets"]}
    email = rows["Introducing Cold Chain Sensor Kits"]
    assert (email["seen"], email["seen_misinformed"], email["unseen"]) == (1, 1, 2)
    assert email["excess"] == pytest.approx(1.0)
    assert email["findings"][0]["sentence"] == "They ship at no cost."
    honest = rows["Cold Chain Sensors"]
    assert (honest["seen"], honest["seen_misinformed"], honest["excess"]) == (1, 0, 0.0)
    assert report["assets"][0]["title"] == "Introducing Cold Chain Sensor Kits"


def test_the_api_takes_the_belief_and_serves_the_report(
    team: Team, copy: dict[str, ContentAsset], token_client: Callable[..., Client], viewer: User
) -> None:
    body = {"verdict": "reject", "reason_code": "misinformed", "belief": "ships free"}
    response = token_client(team.rep).post(
        f"/api/v1/people/{team.lead.pk}/verdicts", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert MisinformedBelief.objects.get().fact == "free_shipping"
    report = token_client(viewer).get("/api/v1/analytics/misinformed")
    assert report.status_code == 200
    assert report.json()["assets"][0]["title"] == "Introducing Cold Chain Sensor Kits"
    outsider = User.objects.create_user(username="nobody", password="pw-nobody")
    assert token_client(outsider).get("/api/v1/analytics/misinformed").status_code == 403


def test_the_inbox_form_carries_the_belief(team: Team, copy: dict[str, ContentAsset]) -> None:
    client = Client()
    client.force_login(team.rep)
    done = client.post(
        f"/inbox/{team.lead.pk}/reject/",
        {"reason": "reject:misinformed", "belief": "expected free shipping"},
        **HTMX,
    )
    assert "Rejected: misinformed." in done.content.decode()
    assert MisinformedBelief.objects.get(person=team.lead).fact == "free_shipping"


def test_the_brief_tells_the_rep_what_the_lead_was_promised(
    team: Team, copy: dict[str, ContentAsset]
) -> None:
    brief = handoff_brief(team.rep, team.lead.pk)
    assert [(p.title, p.fact, p.seen_as) for p in brief.promises] == [
        ("Introducing Cold Chain Sensor Kits", "free_shipping", "opened an e-mail")
    ]
    client = Client()
    client.force_login(team.rep)
    page = client.get(f"/people/{team.lead.pk}/brief/").content.decode()
    assert "This lead opened an e-mail" in page
    assert "The truth: <strong>Cold Chain Sensor Kits ship for a flat fee of $49" in page
