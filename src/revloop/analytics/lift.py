"""A campaign's lift on what happened to its audience after they joined it.

For every member, from the moment they joined the campaign (``added_at``):

- ``visit``: any touch after joining, other than opening or clicking the campaign's own
  message (people held out cannot open a message they were never sent, so counting
  those would credit the campaign with its own delivery);
- ``mql``: reached MQL after joining;
- ``opportunity``: a contact on an opportunity created after joining; ``win``: on one
  of those that was won;
- ``revenue``: the amount of those won opportunities (a mean per member, so every
  member counts, with or without a deal).

With a control group (imported with the membership, or revloop's random holdout) each
treatment arm is compared with the control by :func:`~revloop.engine.analytics.lift.
compare_groups`: a randomised comparison. Without one, the members are compared with
the people who were never in the campaign nor touched by it, within strata of
first-touch source, segment (account tier) and cohort month, from the campaign's median
joining time: an **observational** comparison, labelled as such and never the effect.
The database does the per-person work (one ``EXISTS`` per outcome); Python gets one
row per person.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from statistics import median_low
from typing import Any

import numpy as np
from django.db.models import (
    DateTimeField,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower

from revloop.activity.models import Campaign, CampaignMember, MemberGroup, Touch
from revloop.core.bounds import parse_id
from revloop.core.errors import NotFoundError
from revloop.engine.analytics.lift import compare_groups, matched_lift
from revloop.engine.vocabulary import LifecycleStage, OpportunityStage, TouchType
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity, OpportunityContact

OUTCOMES = ("visit", "mql", "opportunity", "win", "revenue")
#: A campaign's own message reaching someone: not something they did after it.
DELIVERY = (TouchType.EMAIL_OPEN.value, TouchType.EMAIL_CLICK.value, TouchType.AD_CLICK.value)
MATCHED_ON = ("first-touch source", "segment (account tier)", "cohort month")
DEFINITIONS = {
    "visit": "a touch after joining, other than opening or clicking this campaign's message",
    "mql": "reached MQL after joining",
    "opportunity": "a contact on an opportunity created after joining",
    "win": "a contact on a won opportunity created after joining",
    "revenue": "amount of won opportunities created after joining, per person",
}
OBSERVATIONAL_NOTE = (
    "No control group: people in the campaign are compared with people who were not, "
    "matched on first-touch source, segment and cohort month. This is a comparison, not "
    "the campaign's effect: who was chosen for the campaign can differ in ways revloop "
    "does not see."
)


def find_campaign(key: str | int) -> Campaign:
    """A campaign by id, else by name (exact, then ignoring case)."""
    text = str(key).strip()
    if (pk := parse_id(text)) is not None:
        found = Campaign.objects.filter(pk=pk).first()
        if found is not None:
            return found
    found = Campaign.objects.filter(name=text).first()
    if found is None:
        matches = list(Campaign.objects.filter(name__iexact=text)[:2])
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise NotFoundError(f"no campaign {text!r} (give its name or id)")
    return found


def campaign_lift(key: str | int) -> dict[str, Any]:
    """Every outcome's lift for the campaign (module docstring), as a JSON-able dict."""
    campaign = find_campaign(key)
    members = CampaignMember.objects.filter(campaign=campaign)
    currencies = _revenue_currencies(campaign)
    head = {
        "campaign": {"id": campaign.pk, "name": campaign.name, "channel": campaign.channel},
        "definitions": DEFINITIONS,
        "currency": currencies[0] if len(currencies) == 1 else campaign.currency,
    }
    if members.filter(group=MemberGroup.CONTROL).exists():
        found = {**head, **_randomised(campaign, members)}
    else:
        found = {**head, **_observational(campaign, members)}
    if len(currencies) > 1:
        found["notes"] = [
            *found["notes"],
            f"revenue adds amounts in {', '.join(currencies)} without converting them",
        ]
    return found


def _revenue_currencies(campaign: Campaign) -> list[str]:
    """The currencies of the won opportunities of the campaign's members."""
    on = Q(primary_contact__campaign_memberships__campaign=campaign) | Q(
        contacts__campaign_memberships__campaign=campaign
    )
    won = Opportunity.objects.filter(on, stage=OpportunityStage.WON.value)
    return sorted(set(won.values_list("currency", flat=True)))


def _randomised(campaign: Campaign, members: QuerySet[CampaignMember]) -> dict[str, Any]:
    rows = list(
        _with_outcomes(members, campaign, person="person_id", since="added_at").values_list(
            "group", "arm", *OUTCOMES
        )
    )
    control_arms = {arm for group, arm, *_ in rows if group == MemberGroup.CONTROL}
    control = control_arms.pop() if len(control_arms) == 1 and "" not in control_arms else "control"
    labels = [
        control if group == MemberGroup.CONTROL else (arm or MemberGroup.TREATMENT.value)
        for group, arm, *_ in rows
    ]
    values = _outcome_arrays(rows, first=2)
    if len(set(labels)) < 2:
        return {
            "design": "randomised",
            "label": "randomised holdout",
            "control": control,
            "outcomes": [],
            "notes": ["every member is in the control group: nothing to compare"],
        }
    report = compare_groups(labels, values, control, kinds={name: _kind(name) for name in OUTCOMES})
    return {"label": "randomised holdout", **report.as_dict()}


def _observational(campaign: Campaign, members: QuerySet[CampaignMember]) -> dict[str, Any]:
    joined = members.filter(person_id=OuterRef("pk")).values("added_at")[:1]
    first_touch = (
        campaign.touches.filter(person_id=OuterRef("pk"))
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    people = Person.objects.annotate(
        joined_at=Subquery(joined), touched_at=Subquery(first_touch)
    ).annotate(treated_at=Coalesce("joined_at", "touched_at"))
    treated_times = list(
        people.filter(treated_at__isnull=False).values_list("treated_at", flat=True)
    )
    base: dict[str, Any] = {
        "design": "observational",
        "label": "observational — not the campaign's effect",
        "control": None,
        "matched_on": list(MATCHED_ON),
        "outcomes": [],
        "notes": [OBSERVATIONAL_NOTE],
    }
    if not treated_times:
        return {**base, "observational": [], "notes": [*base["notes"], "no one is in the campaign"]}
    reference: datetime = median_low(treated_times)
    pool = people.filter(Q(treated_at__isnull=False) | Q(created_at__lte=reference)).annotate(
        since=Coalesce(F("treated_at"), Value(reference, output_field=DateTimeField()))
    )
    rows = list(
        _with_outcomes(pool, campaign, person="pk", since="since").values_list(
            "treated_at", "source", "account__tier", "created_at", *OUTCOMES
        )
    )
    touched = np.array([row[0] is not None for row in rows], dtype=bool)
    strata = [f"{row[1] or '-'}|{row[2] or '-'}|{row[3]:%Y-%m}" for row in rows]
    values = _outcome_arrays(rows, first=4)
    matched = [
        matched_lift(touched, strata, values[name], outcome=name, kind=_kind(name)).as_dict()
        for name in OUTCOMES
    ]
    return {**base, "reference_time": reference, "observational": matched}


def _kind(name: str) -> Any:
    return "mean" if name == "revenue" else "rate"


def _outcome_arrays(rows: list[tuple[Any, ...]], *, first: int) -> dict[str, np.ndarray]:
    values = {}
    for offset, name in enumerate(OUTCOMES):
        column = [row[first + offset] for row in rows]
        values[name] = np.array([float(v) for v in column], dtype=np.float64)
    return values


def _with_outcomes(queryset: QuerySet[Any], campaign: Campaign, *, person: str, since: str) -> Any:
    """Each row's outcomes after ``since``, for the person in field ``person``."""
    who = OuterRef(person)
    after = OuterRef(since)
    visits = Touch.objects.filter(person_id=who, occurred_at__gte=after).exclude(
        campaign=campaign, type__in=DELIVERY
    )
    mql = StageTransition.objects.filter(
        person_id=who, to_stage=LifecycleStage.MQL.value, at__gte=after
    )
    # A person is on a deal as its primary contact or as a listed contact. The two are
    # asked apart, each by its own person index: one OR between them makes SQLite scan
    # every won deal for every member (minutes at 64,000 members instead of a second).
    won = OpportunityStage.WON.value
    primary = Opportunity.objects.filter(primary_contact_id=who, created_at__gte=after)
    listed = OpportunityContact.objects.filter(
        person_id=who, opportunity__created_at__gte=after
    ).exclude(opportunity__primary_contact_id=who)
    # Compared through lower(): on an indexed column SQLite would start from every won
    # deal and look for the person, where the person's few listings are the way in.
    listed_won = listed.annotate(deal_stage=Lower("opportunity__stage")).filter(deal_stage=won)
    money = DecimalField(max_digits=20, decimal_places=2)

    def total(deals: QuerySet[Any], amount: str) -> Any:
        summed = deals.order_by().annotate(total=Func(F(amount), function="SUM"))
        return Coalesce(
            Subquery(summed.values("total"), output_field=money),
            Value(Decimal(0)),
            output_field=money,
        )

    return queryset.annotate(
        visit=Exists(visits),
        mql=Exists(mql),
        opportunity=Exists(primary) | Exists(listed),
        win=Exists(primary.filter(stage=won)) | Exists(listed_won),
        revenue=total(primary.filter(stage=won), "amount")
        + total(listed_won, "opportunity__amount"),
    )
