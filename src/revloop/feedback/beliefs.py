"""What a misinformed lead believed, and the content they saw that told them so.

A belief is a fact of the offer catalog: the rep picks its id, or says it in their
own words ("she thought shipping was free") and the copy checker reads which false
claim the words make. The trace links the belief to the content assets the person
saw before the verdict whose copy makes that claim, and their campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from revloop.activity.models import Campaign, ContentAsset, Touch
from revloop.catalog.models import CatalogVersion, ContentFinding
from revloop.catalog.versions import active_checker
from revloop.core.errors import InvalidInputError

#: The reason code of a lead whose expectations were set wrong by Marketing.
MISINFORMED = "misinformed"


@dataclass(frozen=True)
class Belief:
    version: CatalogVersion
    fact: str
    #: The rep's own words, when the fact was read from them.
    said: str


def resolve_belief(text: str) -> Belief:
    """The catalog fact ``text`` names (its id) or claims (in words), or a clear error."""
    said = (text or "").strip()
    if not said:
        raise InvalidInputError("belief: may not be empty")
    version, checker = active_checker()
    facts = {fact.id.lower(): fact.id for fact in checker.catalog.facts}
    if said.lower() in facts:
        return Belief(version, facts[said.lower()], "")
    claimed = [f.fact for f in checker.check(said).findings if f.fact.lower() in facts]
    if not claimed:
        listed = ", ".join(sorted(facts.values()))
        raise InvalidInputError(
            f"belief: {said[:80]!r} matches no claim of catalog v{version.number};"
            f" pick one of: {listed}"
        )
    return Belief(version, claimed[0], said)


def fact_of_words(text: str) -> str:
    """The catalog fact a free-text note claims, or "" (for notes written without a belief)."""
    if not (text or "").strip():
        return ""
    try:
        return resolve_belief(text).fact
    except InvalidInputError:
        return ""


@dataclass(frozen=True)
class TracedAsset:
    asset_id: int
    title: str
    first_seen: datetime
    sentence: str
    truth: str
    rewrite: str
    campaign: str


def trace(person_id: int, fact: str, before: datetime) -> list[TracedAsset]:
    """The assets the person saw up to ``before`` whose copy makes the claim ``fact``."""
    findings = {
        f.asset_id: f
        for f in ContentFinding.objects.filter(fact=fact).order_by("asset_id", "-start", "-id")
    }
    if not findings:
        return []
    first: dict[int, tuple[datetime, int | None]] = {}
    for asset_id, at, campaign_id in (
        Touch.objects.filter(person_id=person_id, content_id__in=findings, occurred_at__lte=before)
        .order_by("occurred_at", "id")
        .values_list("content_id", "occurred_at", "campaign_id")
    ):
        first.setdefault(asset_id, (at, campaign_id))
    assets = ContentAsset.objects.in_bulk(list(first))
    campaigns = Campaign.objects.in_bulk(
        [c for _, c in first.values() if c]
        + [a.campaign_id for a in assets.values() if a.campaign_id]
    )
    out = []
    for asset_id, (at, touch_campaign) in first.items():
        asset = assets[asset_id]
        campaign = campaigns.get(touch_campaign or asset.campaign_id or 0)
        found = findings[asset_id]
        out.append(
            TracedAsset(
                asset_id=asset_id,
                title=asset.title,
                first_seen=at,
                sentence=found.sentence,
                truth=found.truth,
                rewrite=found.rewrite,
                campaign=campaign.name if campaign else "",
            )
        )
    return sorted(out, key=lambda t: (t.first_seen, t.asset_id))
