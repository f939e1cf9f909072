"""Content ranked by the misinformed outcomes it goes with (``engine.truth.misinformed``).

Loads who was judged and when, who was judged misinformed and what they believed
(the recorded belief, else the fact their verdict's note claims), which content
each saw before that verdict, and each asset's false claims as the copy checker
stored them; the engine ranks; each row gets the offending sentence and its fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Max, Min, Q

from revloop.activity.models import ContentAsset, Touch
from revloop.analytics.cache import cached, data_version, page_max_age
from revloop.catalog.models import ContentCheck, ContentFinding
from revloop.engine.truth.misinformed import (
    DEFAULT_THRESHOLD,
    Judged,
    rank_misinforming,
)
from revloop.engine.vocabulary import LifecycleStage
from revloop.feedback.beliefs import MISINFORMED, fact_of_words
from revloop.feedback.models import MisinformedBelief
from revloop.lifecycle.models import StageTransition


@dataclass(frozen=True)
class _Verdicts:
    judged: Judged
    cutoff: dict[int, datetime]


def _verdicts() -> _Verdicts:
    cutoff: dict[int, datetime] = {}
    for person_id, at in StageTransition.objects.filter(
        from_stage=LifecycleStage.MQL.value
    ).values_list("person_id", "at"):
        if person_id not in cutoff or at < cutoff[person_id]:
            cutoff[person_id] = at
    recorded = dict(MisinformedBelief.objects.values_list("transition_id", "fact"))
    belief: dict[int, str] = {}
    misled_at: dict[int, datetime] = {}
    read: dict[str, str] = {}
    for pk, person_id, at, note in (
        StageTransition.objects.filter(reason_code=MISINFORMED)
        .order_by("at", "id")
        .values_list("pk", "person_id", "at", "note")
    ):
        if person_id in misled_at:
            continue
        misled_at[person_id] = at
        if pk in recorded:
            belief[person_id] = recorded[pk]
        else:
            # Verdicts given before beliefs were recorded say it in the note, if anywhere.
            if note not in read:
                read[note] = fact_of_words(note)
            belief[person_id] = read[note]
    cutoff.update(misled_at)
    people = np.array(sorted(cutoff), dtype=np.int64)
    return _Verdicts(
        Judged(
            person=people,
            misinformed=np.array([int(p) in misled_at for p in people], dtype=bool),
            belief=[belief.get(int(p), "") for p in people],
        ),
        cutoff,
    )


def misinformed_report(*, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Every content asset, the most misinforming first, as one JSON-ready document.

    Callers check who reads it (the command line is the operator's).
    """
    verdicts = _verdicts()
    pairs_person: list[int] = []
    pairs_asset: list[int] = []
    judged_people = StageTransition.objects.filter(
        Q(from_stage=LifecycleStage.MQL.value) | Q(reason_code=MISINFORMED)
    ).values("person_id")
    # Each person's first sight of each asset: seen before the verdict iff that was.
    for person_id, asset_id, first in (
        Touch.objects.filter(content_id__isnull=False, person_id__in=judged_people)
        .values("person_id", "content_id")
        .annotate(first=Min("occurred_at"))
        .order_by()
        .values_list("person_id", "content_id", "first")
        .iterator(chunk_size=20_000)
    ):
        limit = verdicts.cutoff.get(person_id)
        if limit is not None and first <= limit:
            pairs_person.append(person_id)
            pairs_asset.append(asset_id)
    findings: dict[int, list[ContentFinding]] = {}
    for finding in ContentFinding.objects.order_by("asset_id", "start", "id"):
        findings.setdefault(finding.asset_id, []).append(finding)
    assets = ContentAsset.objects.select_related("campaign").in_bulk()
    claims = {pk: [f.fact for f in findings.get(pk, [])] for pk in assets}
    ranked = rank_misinforming(
        verdicts.judged,
        np.array(pairs_person, dtype=np.int64),
        np.array(pairs_asset, dtype=np.int64),
        claims,
        threshold=threshold,
    )
    judged = verdicts.judged
    rows = []
    for row in ranked:
        asset = assets[row.asset]
        rows.append(
            {
                "asset_id": asset.pk,
                "title": asset.title,
                "kind": asset.kind,
                "campaign": asset.campaign.name if asset.campaign else None,
                **{k: v for k, v in row.to_dict().items() if k != "asset"},
                "claims": list(row.claims),
                "findings": [
                    {
                        "fact": f.fact,
                        "kind": f.kind,
                        "sentence": f.sentence,
                        "truth": f.truth,
                        "rewrite": f.rewrite,
                    }
                    for f in findings.get(asset.pk, [])
                ],
            }
        )
    return {
        "judged": len(judged.person),
        "misinformed": int(judged.misinformed.sum()),
        "with_belief": int(
            sum(1 for b, m in zip(judged.belief, judged.misinformed, strict=True) if m and b)
        ),
        "threshold": threshold,
        "interval": "95% Newcombe hybrid score interval of the difference of two rates",
        "observational": True,
        "assets": rows,
    }


def truth_version() -> str:
    """The data version, and what the report reads besides: checks and beliefs."""
    checks = ContentCheck.objects.aggregate(v=Max("id"))["v"]
    beliefs = MisinformedBelief.objects.aggregate(v=Max("id"))["v"]
    return f"{data_version()}-{checks or 0}-{ContentCheck.objects.count()}-{beliefs or 0}"


def cached_misinformed_report(
    *, threshold: float = DEFAULT_THRESHOLD, fresh: bool = False, for_page: bool = False
) -> dict[str, Any]:
    """The report from the analytics cache while nothing it reads has changed (the page
    also takes one of older data up to ``page_max_age`` old, as for its other reports)."""
    return cached(
        "misinformed",
        {"threshold": threshold},
        "database",
        lambda: misinformed_report(threshold=threshold),
        fresh=fresh,
        version=truth_version(),
        max_age=page_max_age() if for_page else None,
    )
