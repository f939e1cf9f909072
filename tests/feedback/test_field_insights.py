"""Field insights from what reps recorded: topics, the deals they came up on, the content
that answers them; the command, the API and the page; who may read them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from revloop.activity.models import ContentAsset
from revloop.analytics.insights import insights_report
from revloop.core.errors import ForbiddenError
from revloop.feedback.actions import do_add_note, do_record_heard
from revloop.pipeline.models import OpportunityContact
from revloop.users.models import User
from tests import factories
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(team: Team) -> dict[str, object]:
    """Lena (on a lost deal) and Otto (on a won one) ask about price; Una about ELD."""
    lost = factories.opportunity(stage="lost", amount=Decimal("9000.00"))
    won = factories.opportunity(stage="won", amount=Decimal("15000.00"))
    OpportunityContact.objects.create(opportunity=lost, person=team.lead, role="champion")
    OpportunityContact.objects.create(opportunity=won, person=team.other_lead, role="champion")
    ContentAsset.objects.create(
        title="Pricing", kind="pricing_page", body="Plans and prices per vehicle, billed yearly."
    )
    recent = timezone.now() - timedelta(days=2)
    do_record_heard(team.rep, team.lead, "objection", "Price per truck is too high.", at=recent)
    do_record_heard(
        team.rep, team.lead, "question", "Is there a volume discount on the price?", at=recent
    )
    do_record_heard(team.other_rep, team.other_lead, "question", "What does it cost per vehicle?")
    do_record_heard(team.admin, team.unassigned, "question", "Is the platform ELD certified?")
    do_add_note(team.admin, team.unassigned, "Asked whether the ELD logs meet FMCSA rules.")
    return {"lost": lost, "won": won}


def test_questions_objections_and_notes_group_into_topics_with_their_deals(
    team: Team, heard: dict[str, object]
) -> None:
    report = insights_report()
    assert report["items"] == 5
    topics = {t["answered_by_title"] or "gap": t for t in report["topics"]}
    assert set(topics) == {"Pricing", "gap"}
    price = topics["Pricing"]
    assert (price["count"], price["people"], price["deals"]) == (3, 2, 2)
    assert (price["win_rate"], price["win_rate_numerator"], price["win_rate_denominator"]) == (
        0.5,
        1,
        2,
    )
    assert price["kinds"] == {"objection": 1, "question": 2}
    assert (price["this_period"], price["last_period"]) == (3, 0)
    eld = topics["gap"]
    assert eld["content_gap"]
    assert eld["count"] == 2  # the question and the note
    assert eld["kinds"] == {"note": 1, "question": 1}
    assert report["content_gaps"] == 1


def test_the_command_prints_topics_and_one_json_document(
    team: Team, heard: dict[str, object]
) -> None:
    out = StringIO()
    call_command("insights", "--json", stdout=out)
    document = json.loads(out.getvalue())
    assert [t["count"] for t in document["topics"]] == [3, 2]
    table = StringIO()
    call_command("insights", stdout=table)
    assert "CONTENT GAP" in table.getvalue()
    assert "Pricing" in table.getvalue()


def test_marketing_reads_them_over_the_api_and_an_account_without_a_role_does_not(
    team: Team, heard: dict[str, object], marketer: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(marketer).get("/api/v1/analytics/insights?period_days=7")
    assert response.status_code == 200
    assert response.json()["period_days"] == 7
    nobody = User.objects.create_user(username="nobody", password="pw-nobody")
    assert token_client(nobody).get("/api/v1/analytics/insights").status_code == 403
    with pytest.raises(ForbiddenError):
        # Recording what was heard stays Sales' action: marketing may not.
        do_record_heard(marketer, team.lead, "question", "Free trial?")


def test_the_page_shows_topics_gaps_and_the_nav_link(
    team: Team, heard: dict[str, object], marketer: User
) -> None:
    client = Client()
    client.force_login(marketer)
    page = client.get("/insights/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Field insights</a>" in html
    assert "content gap" in html
    assert "Is there a volume discount on the price?" in html
    assert "50% (1 of 2 closed)" in html
    assert client.get("/insights/?period=13").status_code == 400
    nobody = User.objects.create_user(username="nobody", password="pw-nobody")
    client.force_login(nobody)
    assert client.get("/insights/").status_code == 403
