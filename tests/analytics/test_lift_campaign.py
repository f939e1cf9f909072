"""A campaign's lift from its members: a control group gives the effect, no control group
gives an observational comparison that says so."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from revloop.activity.actions import (
    NewMember,
    do_add_campaign_members,
    do_record_campaign_members,
    in_holdout,
)
from revloop.activity.models import Campaign, CampaignMember
from revloop.analytics.lift import campaign_lift
from revloop.core.errors import ForbiddenError, NotFoundError
from revloop.engine.analytics.lift import mean_lift, rate_lift
from revloop.people.models import Person
from revloop.pipeline.models import OpportunityContact
from revloop.users.models import User
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db

JOINED = T0 + timedelta(days=10)
AFTER = JOINED + timedelta(days=1)


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _people(count: int, **fields: object) -> list[Person]:
    return [factories.person(**fields) for _ in range(count)]


# Membership import ----------------------------------------------------------------------


def test_importing_a_membership_list_creates_the_campaign_its_people_and_their_groups(
    tmp_path: Path,
) -> None:
    known = factories.person(email="known@acme.example")
    path = tmp_path / "members.csv"
    path.write_text(
        "Email,Campaign,Group,Added At\n"
        "known@acme.example,Spring launch,treatment,2026-04-01T10:00:00Z\n"
        "new@beta.example,Spring launch,Holdout,2026-04-01T10:00:00Z\n"
        "other@beta.example,Spring launch,control,\n"
    )
    found = json.loads(_run("import", "campaign-members", str(path), "--json"))
    assert found["added"] == {"treatment": 1, "control": 2}
    assert found["people_created"] == 2
    assert found["campaigns"] == [
        {
            "id": Campaign.objects.get(name="Spring launch").pk,
            "name": "Spring launch",
            "created": True,
        }
    ]
    members = {
        m.person.email: (m.group, m.source) for m in CampaignMember.objects.select_related("person")
    }
    assert members == {
        "known@acme.example": ("treatment", "import"),
        "new@beta.example": ("control", "import"),
        "other@beta.example": ("control", "import"),
    }
    assert (
        CampaignMember.objects.get(person=known).added_at.isoformat() == "2026-04-01T10:00:00+00:00"
    )

    # Again: nothing changes, and no one moves group.
    again = json.loads(_run("import", "campaign-members", str(path), "--json"))
    assert (again["added"], again["unchanged"], again["people_created"]) == ({}, 3, 0)
    assert again["campaigns"][0]["created"] is False


def test_a_control_value_makes_every_other_value_a_treatment_arm(tmp_path: Path) -> None:
    path = tmp_path / "hillstrom.csv"
    path.write_text(
        "email;segment\na@x.example;Mens E-Mail\nb@x.example;Womens E-Mail\nc@x.example;No E-Mail\n"
    )
    _run(
        "import", "campaign-members", str(path), "--campaign", "Hillstrom",
        "--group-column", "segment", "--control", "No E-Mail", "--json",
    )  # fmt: skip
    rows = sorted(CampaignMember.objects.values_list("arm", "group"))
    assert rows == [
        ("Mens E-Mail", "treatment"),
        ("No E-Mail", "control"),
        ("Womens E-Mail", "treatment"),
    ]


def test_bad_membership_rows_are_reported_and_the_good_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "email,campaign,group\n"
        "ok@acme.example,Fall,treatment\n"
        "not-an-email,Fall,treatment\n"
        "late@acme.example,Fall,maybe\n"
        "nocampaign@acme.example,,control\n"
    )
    out = StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("import", "campaign-members", str(path), "--json", stdout=out)
    assert exit_code.value.code == 1
    found = json.loads(out.getvalue())
    reasons = {(e["row"], e["field"]): e["reason"] for e in found["errors"]}
    assert set(reasons) == {(3, "email"), (4, "group"), (5, "campaign")}
    assert "'maybe' is not control, holdout or treatment" in reasons[(4, "group")]
    assert list(CampaignMember.objects.values_list("person__email", flat=True)) == [
        "ok@acme.example"
    ]


def test_a_file_without_an_email_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("name,group\nAnn,control\n")
    with pytest.raises(CommandError, match="needs an email column"):
        _run("import", "campaign-members", str(path), "--campaign", "X")


# The random holdout revloop keeps ------------------------------------------------------------


def test_the_holdout_is_a_hash_of_person_and_campaign_whatever_the_order_or_batches(
    marketer: User,
) -> None:
    people = _people(600)
    first = Campaign.objects.create(name="Newsletter", channel="email")
    second = Campaign.objects.create(name="Newsletter copy", channel="email")
    result = do_add_campaign_members(marketer, first, people, holdout_fraction=0.1, seed="s1")
    control = set(
        CampaignMember.objects.filter(campaign=first, group="control").values_list(
            "person_id", flat=True
        )
    )
    assert result.added["control"] == len(control)
    assert 35 <= len(control) <= 85  # 10 % of 600, well within chance
    assert control == {p.pk for p in people if in_holdout(first.pk, p.pk, 0.1, "s1")}

    # The same people again, reversed and in two batches: nothing moves.
    again = do_add_campaign_members(None, first.name, people[::-1][:300], seed="s1")
    again2 = do_add_campaign_members(None, str(first.pk), people[::-1][300:], seed="s1")
    assert again.unchanged + again2.unchanged == 600
    assert not again.added
    assert not again2.added

    # Another campaign (or seed) holds out other people.
    do_add_campaign_members(None, second, people, holdout_fraction=0.1, seed="s1")
    other = set(
        CampaignMember.objects.filter(campaign=second, group="control").values_list(
            "person_id", flat=True
        )
    )
    assert other != control
    assert not CampaignMember.objects.filter(source="import").exists()


def test_only_marketing_and_admins_manage_audiences(rep: User) -> None:
    campaign = Campaign.objects.create(name="Webinar", channel="webinars")
    with pytest.raises(ForbiddenError):
        do_add_campaign_members(rep, campaign, _people(2))
    with pytest.raises(ForbiddenError):
        do_record_campaign_members(rep, "Webinar", [])
    assert not CampaignMember.objects.exists()


# Lift with a control group ---------------------------------------------------------------------


@pytest.fixture
def tested_campaign() -> Campaign:
    """200 treated and 200 held out, with outcomes planted before and after joining."""
    campaign = Campaign.objects.create(name="Spring e-mail", channel="email")
    treated, held_out = _people(200), _people(200)
    do_record_campaign_members(
        None,
        campaign.name,
        [NewMember(p.pk, "treatment", "", JOINED) for p in treated]
        + [NewMember(p.pk, "control", "Holdout", JOINED) for p in held_out],
    )
    for group in (treated, held_out):
        for p in group:  # before joining: never counted
            factories.touch(person=p, occurred_at=T0)
    for p in treated:  # the campaign's own message: not a visit
        factories.touch(person=p, occurred_at=AFTER, type="email_open", campaign=campaign)

    def plant(group: list[Person], visits: int, mqls: int, deals: int, wins: int) -> None:
        for p in group[:visits]:
            factories.touch(person=p, occurred_at=AFTER, type="page_view")
        for p in group[:mqls]:
            factories.transition(p, at=AFTER)
        for i, p in enumerate(group[:deals]):
            stage = "won" if i < wins else "lost"
            factories.opportunity(
                primary_contact=p, created_at=AFTER, stage=stage, amount=Decimal("10000")
            )

    plant(treated, visits=60, mqls=20, deals=10, wins=6)
    plant(held_out, visits=30, mqls=10, deals=5, wins=2)
    for p in held_out[50:60]:  # MQL before joining: not this campaign's doing
        factories.transition(p, at=T0)
    # A contact (not the primary one) on a won deal counts too, once.
    deal = factories.opportunity(created_at=AFTER, stage="won", amount=Decimal("5000"))
    OpportunityContact.objects.create(opportunity=deal, person=treated[150], role="champion")
    OpportunityContact.objects.create(opportunity=deal, person=treated[0], role="user")
    return campaign


def test_each_outcome_is_read_against_the_control_group(tested_campaign: Campaign) -> None:
    found = campaign_lift(tested_campaign.name)
    assert found["design"] == "randomised"
    assert found["control"] == "Holdout"
    assert [g["group"] for g in found["groups"]] == ["Holdout", "treatment"]
    by = {o["outcome"]: o for o in found["outcomes"]}
    expected = {
        "visit": (60, 30),
        "mql": (20, 10),
        "opportunity": (11, 5),  # 10 as primary contact + 1 as a contact
        "win": (7, 2),
    }
    for name, (treated, held_out) in expected.items():
        groups = {g["group"]: g for g in by[name]["groups"]}
        assert (groups["treatment"]["numerator"], groups["treatment"]["denominator"]) == (
            treated,
            200,
        ), name
        assert groups["Holdout"]["numerator"] == held_out, name
        lift = by[name]["lifts"][0]
        reference = rate_lift(treated, 200, held_out, 200)
        assert lift["absolute"] == pytest.approx(reference.absolute)
        assert lift["absolute_low"] == pytest.approx(reference.absolute_low)
        assert lift["relative_high"] == pytest.approx(reference.relative_high)
        assert lift["p_value"] == pytest.approx(reference.p_value)
    revenue = by["revenue"]
    assert revenue["kind"] == "mean"
    means = {g["group"]: g["mean"] for g in revenue["groups"]}
    # treated[0] is on two won deals (10,000 as primary, 5,000 as a contact); each
    # contact of a won deal is credited with its whole amount.
    assert means == {"treatment": pytest.approx(70000 / 200), "Holdout": pytest.approx(100.0)}
    assert revenue["lifts"][0]["relative"] == pytest.approx(2.5)


def test_revenue_lift_is_welchs_on_every_members_amount(tested_campaign: Campaign) -> None:
    treated = [15000.0] + [10000.0] * 5 + [5000.0] + [0.0] * 193
    held_out = [10000.0] * 2 + [0.0] * 198
    found = campaign_lift(str(tested_campaign.pk))
    lift = next(o for o in found["outcomes"] if o["outcome"] == "revenue")["lifts"][0]
    a, b = np.array(treated), np.array(held_out)
    reference = mean_lift(
        a.mean(), a.var(ddof=1), a.size,
        control_mean=b.mean(), control_variance=b.var(ddof=1), control_n=b.size,
    )  # fmt: skip
    assert lift["p_value"] == pytest.approx(reference.p_value)
    assert lift["absolute_high"] == pytest.approx(reference.absolute_high)


def test_the_command_and_the_api_give_the_same_lift(
    tested_campaign: Campaign,
    marketer: User,
    outsider: User,
    token_client: Callable[..., Client],
) -> None:
    from_command = json.loads(_run("lift", "--campaign", "spring E-MAIL", "--json"))
    response = token_client(marketer).get(
        "/api/v1/analytics/lift", {"campaign": tested_campaign.name}
    )
    assert response.status_code == 200
    assert response.json() == from_command
    text = _run("lift", "--campaign", str(tested_campaign.pk))
    assert "Randomised: each group against the control group 'Holdout'" in text
    assert "30.00% (60/200)" in text
    assert (
        token_client(outsider)
        .get("/api/v1/analytics/lift", {"campaign": tested_campaign.name})
        .status_code
        == 403
    )
    missing = token_client(marketer).get("/api/v1/analytics/lift", {"campaign": "Nope"})
    assert missing.status_code == 404


def test_an_unknown_campaign_is_named() -> None:
    with pytest.raises(NotFoundError, match="no campaign 'Nope'"):
        campaign_lift("Nope")
    with pytest.raises(CommandError, match="no campaign 'Nope'"):
        _run("lift", "--campaign", "Nope")


# Without a control group: observational -----------------------------------------------------------


def test_without_a_control_group_the_comparison_is_observational_and_matched(
    marketer: User,
) -> None:
    # Paid-search people visit far more often whether they get the campaign or not, and
    # the campaign went mostly to them: matching on source removes that.
    campaign = Campaign.objects.create(name="Retarget", channel="paid_social")
    paid_in = _people(80, source="paid_search")
    paid_out = _people(20, source="paid_search")
    organic_in = _people(10, source="organic_search")
    organic_out = _people(90, source="organic_search")
    do_add_campaign_members(
        marketer, campaign, paid_in + organic_in, holdout_fraction=0.0, at=JOINED
    )
    for group, visitors in ((paid_in, 40), (paid_out, 10), (organic_in, 1), (organic_out, 9)):
        for p in group[:visitors]:
            factories.touch(person=p, occurred_at=AFTER)

    found = campaign_lift(campaign.name)
    assert found["design"] == "observational"
    assert found["label"].startswith("observational")
    assert "not the campaign's effect" in found["notes"][0]
    assert found["outcomes"] == []
    visit = next(m for m in found["observational"] if m["outcome"] == "visit")
    assert (visit["touched_people"], visit["untouched_people"], visit["matched"]) == (90, 110, 90)
    # Raw: 41/90 against 19/110. Matched within source: no difference at all.
    assert visit["touched"] == pytest.approx(41 / 90)
    assert visit["untouched"] == pytest.approx(0.5 * 80 / 90 + 0.1 * 10 / 90)
    assert visit["absolute"] == pytest.approx(0.0, abs=1e-12)
    assert found["matched_on"] == ["first-touch source", "segment (account tier)", "cohort month"]

    text = _run("lift", "--campaign", campaign.name)
    assert text.startswith("Campaign Retarget")
    assert "OBSERVATIONAL" in text
    assert "It is not the campaign's effect." in text


def test_revenue_in_several_currencies_is_called_out() -> None:
    treated, held_out = _people(3), _people(3)
    do_record_campaign_members(
        None,
        "Expo",
        [NewMember(p.pk, "treatment", "", JOINED) for p in treated]
        + [NewMember(p.pk, "control", "", JOINED) for p in held_out],
    )
    factories.opportunity(primary_contact=treated[0], created_at=AFTER, stage="won")
    factories.opportunity(
        primary_contact=held_out[0], created_at=AFTER, stage="won", currency="EUR"
    )
    found = campaign_lift("Expo")
    assert found["control"] == "control"
    assert "revenue adds amounts in EUR, USD without converting them" in found["notes"]
    assert any("only 3 rows" in w for w in found["outcomes"][0]["lifts"][0]["warnings"])
