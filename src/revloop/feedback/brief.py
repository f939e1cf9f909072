"""The handoff brief: everything a rep reads before the first call, in one dataclass.

Who the person and their account are; why they score what they score (the contract's
explanation, line by line); what they did (touches, newest first); which content and
campaigns they saw and what that content told them (the copy itself: what they were
promised); what they asked in forms; what was said since (activities, questions,
objections, notes, verdicts); and which won customers look most like their account.
Only plain values leave this module: the page and the API render the same object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Max, Min
from django.utils import timezone

from revloop.activity.models import Campaign, ContentAsset, Touch
from revloop.catalog.models import ContentFinding
from revloop.engine.handoff import (
    AccountTable,
    Firmographics,
    asked_questions,
    nearest_accounts,
)
from revloop.engine.vocabulary import LifecycleStage, OpportunityStage
from revloop.feedback.access import access_lead_for_reading
from revloop.feedback.models import HeardItem, Note, SalesActivity
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity
from revloop.scoring.services import score_report
from revloop.users.models import User
from revloop.users.policy import allows

TIMELINE_LIMIT = 200
SIMILAR_DEALS = 5
#: Touch types whose properties may hold what the person typed (forms, chats, events).
_TYPED_TOUCHES = ("form_submit", "chat", "event", "webinar", "meeting", "call")
#: Touches that were conversations, when a CRM import brought them in as touches.
_CONVERSATION_TOUCHES = ("meeting", "call")


@dataclass(frozen=True)
class PersonCard:
    id: int
    email: str
    name: str
    title: str
    persona: str
    phone: str
    country: str
    source: str
    stage: str
    stage_label: str
    stage_changed_at: datetime
    owner: str | None
    created_at: datetime
    rule_score: float
    grade: str
    predicted_probability: float | None


@dataclass(frozen=True)
class AccountCard:
    id: int
    name: str
    domain: str
    industry: str
    employee_count: int | None
    region: str
    country: str
    tier: str
    owner: str | None
    people: int


@dataclass(frozen=True)
class StageStep:
    at: datetime
    from_stage: str
    to_stage: str
    by: str
    reason_code: str
    note: str
    contract_version: int | None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    type: str
    channel: str
    campaign: str | None
    content: str | None
    content_kind: str | None
    url: str


@dataclass(frozen=True)
class ContentSeen:
    id: int
    title: str
    kind: str
    url: str
    campaign: str | None
    #: The asset's copy as published: what it told (and promised) the person.
    said: str
    times: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class FalsePromise:
    """A sentence of content the person saw that the offer catalog contradicts."""

    content_id: int
    title: str
    kind: str
    first_seen: datetime
    fact: str
    sentence: str
    truth: str
    #: How the brief tells it: "opened an e-mail", "read the ebook".
    seen_as: str


@dataclass(frozen=True)
class CampaignSeen:
    id: int
    name: str
    channel: str
    times: int
    first_seen: datetime
    last_seen: datetime
    #: Titles of the campaign's content: its messages.
    messages: list[str]


@dataclass(frozen=True)
class Question:
    at: datetime
    field: str
    text: str
    touch_type: str


@dataclass(frozen=True)
class Conversation:
    at: datetime
    kind: str
    by: str
    text: str
    detail: str


@dataclass(frozen=True)
class DealCard:
    id: int
    name: str
    stage: str
    amount: Decimal
    currency: str
    close_date: date


@dataclass(frozen=True)
class SimilarDeal:
    account: str
    industry: str
    employee_count: int | None
    region: str
    distance: float
    why: list[str]
    won_deals: int
    deal: str
    amount: Decimal
    currency: str
    closed_on: date


@dataclass(frozen=True)
class Brief:
    as_of: datetime
    person: PersonCard
    account: AccountCard | None
    viewer_may_act: bool
    score: dict[str, Any]
    stage_history: list[StageStep]
    touches: int
    timeline: list[TimelineEntry]
    content: list[ContentSeen]
    #: What the content they saw promised that the company does not keep, and the truth.
    promises: list[FalsePromise]
    campaigns: list[CampaignSeen]
    questions: list[Question]
    conversations: list[Conversation]
    opportunities: list[DealCard]
    similar_won: list[SimilarDeal]


def handoff_brief(
    viewer: User | None, reference: str | int, *, timeline_limit: int = TIMELINE_LIMIT
) -> Brief:
    """The brief on one person (id or email) for ``viewer``; any revloop role may read it."""
    pk = access_lead_for_reading(viewer, reference)
    assert viewer is not None
    person = Person.objects.select_related("account", "owner").get(pk=pk)
    touches = Touch.objects.filter(person_id=pk)
    content = _content_seen(touches)
    return Brief(
        as_of=timezone.now(),
        person=_person_card(person),
        account=_account_card(person.account) if person.account else None,
        viewer_may_act=allows(viewer, "lead.work", person),
        score=score_report(pk),
        stage_history=_stage_history(pk),
        touches=touches.count(),
        timeline=_timeline(touches, timeline_limit),
        content=content,
        promises=_false_promises(content),
        campaigns=_campaigns_seen(touches),
        questions=_questions(touches),
        conversations=_conversations(pk),
        opportunities=_opportunities(person),
        similar_won=similar_won_deals(person.account),
    )


def _name(user: User | None) -> str | None:
    return None if user is None else user.username


def _person_card(person: Person) -> PersonCard:
    return PersonCard(
        id=person.pk,
        email=person.email,
        name=person.full_name,
        title=person.title,
        persona=person.persona,
        phone=person.phone,
        country=person.country,
        source=person.source,
        stage=person.stage,
        stage_label=LifecycleStage(person.stage).label,
        stage_changed_at=person.stage_changed_at,
        owner=_name(person.owner),
        created_at=person.created_at,
        rule_score=person.rule_score,
        grade=person.grade,
        predicted_probability=person.predicted_probability,
    )


def _account_card(account: Account) -> AccountCard:
    return AccountCard(
        id=account.pk,
        name=account.name,
        domain=account.domain,
        industry=account.industry,
        employee_count=account.employee_count,
        region=account.region,
        country=account.country,
        tier=account.get_tier_display(),
        owner=_name(account.owner),
        people=account.people.count(),
    )


def _stage_history(pk: int) -> list[StageStep]:
    records = (
        StageTransition.objects.filter(person_id=pk)
        .select_related("by_user", "contract_version")
        .order_by("at", "id")
    )
    return [
        StageStep(
            at=t.at,
            from_stage=t.from_stage,
            to_stage=t.to_stage,
            by=t.by_user.username if t.by_user else f"rule {t.by_rule}",
            reason_code=t.reason_code,
            note=t.note,
            contract_version=t.contract_version.number if t.contract_version else None,
        )
        for t in records
    ]


def _timeline(touches: Any, limit: int) -> list[TimelineEntry]:
    rows = touches.select_related("campaign", "content").order_by("-occurred_at", "-id")[:limit]
    return [
        TimelineEntry(
            at=t.occurred_at,
            type=t.type,
            channel=t.channel,
            campaign=t.campaign.name if t.campaign else None,
            content=t.content.title if t.content else None,
            content_kind=t.content.kind if t.content else None,
            url=t.url,
        )
        for t in rows
    ]


def _seen(touches: Any, field: str) -> dict[int, dict[str, Any]]:
    rows = (
        touches.filter(**{f"{field}__isnull": False})
        .values(field)
        .annotate(times=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by()
    )
    return {row[field]: row for row in rows}


def _content_seen(touches: Any) -> list[ContentSeen]:
    seen = _seen(touches, "content")
    assets = ContentAsset.objects.filter(pk__in=seen).select_related("campaign")
    found = [
        ContentSeen(
            id=asset.pk,
            title=asset.title,
            kind=asset.kind,
            url=asset.url,
            campaign=asset.campaign.name if asset.campaign else None,
            said=asset.body,
            times=seen[asset.pk]["times"],
            first_seen=seen[asset.pk]["first"],
            last_seen=seen[asset.pk]["last"],
        )
        for asset in assets
    ]
    return sorted(found, key=lambda c: (c.first_seen, c.id))


def _false_promises(content: list[ContentSeen]) -> list[FalsePromise]:
    seen = {c.id: c for c in content}
    findings = ContentFinding.objects.filter(asset_id__in=seen).order_by("asset_id", "start", "id")
    promises = [
        FalsePromise(
            content_id=f.asset_id,
            title=seen[f.asset_id].title,
            kind=seen[f.asset_id].kind,
            first_seen=seen[f.asset_id].first_seen,
            fact=f.fact,
            sentence=f.sentence,
            truth=f.truth,
            seen_as=_seen_as(seen[f.asset_id].kind),
        )
        for f in findings
    ]
    return sorted(promises, key=lambda p: (p.first_seen, p.content_id))


def _seen_as(kind: str) -> str:
    if kind == "email":
        return "opened an e-mail"
    verb = "watched" if kind in ("video", "webinar") else "read"
    return f"{verb} the {kind.replace('_', ' ')}"


def _campaigns_seen(touches: Any) -> list[CampaignSeen]:
    seen = _seen(touches, "campaign")
    found = [
        CampaignSeen(
            id=campaign.pk,
            name=campaign.name,
            channel=campaign.channel,
            times=seen[campaign.pk]["times"],
            first_seen=seen[campaign.pk]["first"],
            last_seen=seen[campaign.pk]["last"],
            messages=[asset.title for asset in campaign.assets.all()],
        )
        for campaign in Campaign.objects.filter(pk__in=seen).prefetch_related("assets")
    ]
    return sorted(found, key=lambda c: (c.first_seen, c.id))


def _questions(touches: Any) -> list[Question]:
    rows = touches.filter(type__in=_TYPED_TOUCHES).values_list("occurred_at", "type", "properties")
    entries = ((at, kind, props) for at, kind, props in rows if isinstance(props, dict) and props)
    return [
        Question(at=q.at, field=q.field, text=q.text, touch_type=q.touch_type)
        for q in asked_questions(entries)
    ]


def _conversations(pk: int) -> list[Conversation]:
    found: list[Conversation] = [
        Conversation(
            a.at, a.kind, a.user.username, a.note, a.get_outcome_display() if a.outcome else ""
        )
        for a in SalesActivity.objects.filter(person_id=pk).select_related("user")
    ]
    found += [
        Conversation(h.at, h.kind, h.user.username, h.text, h.topic)
        for h in HeardItem.objects.filter(person_id=pk).select_related("user")
    ]
    found += [
        Conversation(n.at, "note", n.user.username, n.text, "")
        for n in Note.objects.filter(person_id=pk).select_related("user")
    ]
    verdicts = StageTransition.objects.filter(person_id=pk, by_user__isnull=False).select_related(
        "by_user"
    )
    found += [
        Conversation(
            t.at,
            f"moved to {LifecycleStage(t.to_stage).label}",
            t.by_user.username,
            t.note,
            t.reason_code,
        )
        for t in verdicts
        if (t.note or t.reason_code) and t.by_user is not None  # the query wants a user
    ]
    found += [
        Conversation(t.occurred_at, t.type, "imported", t.url, t.channel)
        for t in Touch.objects.filter(person_id=pk, type__in=_CONVERSATION_TOUCHES)
    ]
    return sorted(found, key=lambda c: c.at, reverse=True)


def _outcome(activity: SalesActivity) -> str:
    return activity.get_outcome_display() if activity.outcome else ""


def _opportunities(person: Person) -> list[DealCard]:
    deals = Opportunity.objects.filter(contacts=person).order_by("-created_at")
    return [DealCard(d.pk, d.name, d.stage, d.amount, d.currency, d.close_date) for d in deals]


def similar_won_deals(account: Account | None, k: int = SIMILAR_DEALS) -> list[SimilarDeal]:
    """The won customers nearest to ``account`` by industry, size and region, with their
    latest won deal (the distance is :func:`revloop.engine.handoff.firmographic_distance`)."""
    if account is None:
        return []
    won = (
        Opportunity.objects.filter(stage=OpportunityStage.WON, account__isnull=False)
        .exclude(account_id=account.pk)
        .order_by("account_id", "-close_date", "-id")
        .values_list("account_id", "name", "amount", "currency", "close_date")
    )
    latest: dict[int, tuple[str, Decimal, str, date]] = {}
    counts: dict[int, int] = {}
    for account_id, name, amount, currency, closed in won:
        latest.setdefault(account_id, (name, amount, currency, closed))
        counts[account_id] = counts.get(account_id, 0) + 1
    if not latest:
        return []
    ids = list(latest)
    rows = {
        row[0]: row[1:]
        for row in Account.objects.filter(pk__in=ids).values_list(
            "id", "name", "industry", "employee_count", "region"
        )
    }
    ids = [i for i in ids if i in rows]
    table = AccountTable(
        industry=np.array([rows[i][1] for i in ids], dtype=np.str_),
        employees=np.array(
            [np.nan if (n := rows[i][2]) is None else float(n) for i in ids], dtype=np.float64
        ),
        region=np.array([rows[i][3] for i in ids], dtype=np.str_),
        won_deals=np.array([counts[i] for i in ids], dtype=np.int64),
    )
    target = Firmographics(account.industry, account.employee_count, account.region)
    positions, distances = nearest_accounts(target, table, k)
    found = []
    for position, distance in zip(positions.tolist(), distances.tolist(), strict=True):
        account_id = ids[position]
        name, industry, employees, region = rows[account_id]
        deal, amount, currency, closed = latest[account_id]
        found.append(
            SimilarDeal(
                account=name,
                industry=industry,
                employee_count=employees,
                region=region,
                distance=round(distance, 3),
                why=_why(account, industry, employees, region),
                won_deals=counts[account_id],
                deal=deal,
                amount=amount,
                currency=currency,
                closed_on=closed,
            )
        )
    return found


def _why(account: Account, industry: str, employees: int | None, region: str) -> list[str]:
    reasons = []
    if industry and industry.lower() == account.industry.strip().lower():
        reasons.append(f"same industry ({industry})")
    if employees and account.employee_count:
        ratio = max(employees, account.employee_count) / min(employees, account.employee_count)
        if ratio <= 2:
            reasons.append(f"similar size ({employees:,} vs {account.employee_count:,} employees)")
    if region and region.lower() == account.region.strip().lower():
        reasons.append(f"same region ({region})")
    return reasons
