"""The demo's answer key: what the generator planted, in the ids it writes.

Everything here is read from :data:`~revloop.engine.demo.truth.GROUND_TRUTH`, the
catalog and the user list, the same values the generator draws the data from, so the
key cannot drift from the data. Ids are the generator's: content asset ``i`` of
:data:`~revloop.engine.demo.catalog.CONTENT` is row ``i + 1`` of
``activity_contentasset``; users are keyed as in :mod:`.users`. The one planted fact
that depends on the random draw, which opportunities were stuffed, comes from the
generated chunks (:attr:`~revloop.engine.demo.generator.DemoChunk.stuffed_opportunity_ids`).

What counts as best and worst:

* channels: the person's source shifts every conversion logit by
  ``GROUND_TRUTH.channel_effects``; *best* are channels at +0.5 or more, *worst* at
  -0.5 or less (the rest lie within ±0.3 of neutral);
* content: the behaviour features raise every conversion logit by their coefficient;
  *best* are the assets of the kinds whose feature adds +0.5 or more (demo request,
  pricing page, webinar, case study), *worst* are the white papers (20 MQL points,
  +0.0 to conversion: lead magnets that bring no revenue) and the misinforming assets
  (a rejection as "misinformed" for 40% of the people who saw one before the call).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revloop.engine.demo import catalog
from revloop.engine.demo.truth import GROUND_TRUTH, GroundTruth
from revloop.engine.demo.users import DemoUser, demo_users
from revloop.engine.vocabulary import ContentKind

#: An effect at least this far from neutral is planted on purpose, not noise.
CLEAR_EFFECT = 0.5

#: The behaviour feature each content kind switches on (webinars count when attended).
FEATURE_OF_KIND: dict[ContentKind, str] = {
    ContentKind.DEMO_REQUEST: "requested_demo",
    ContentKind.PRICING_PAGE: "viewed_pricing",
    ContentKind.WEBINAR: "attended_webinar",
    ContentKind.CASE_STUDY: "read_case_study",
    ContentKind.WHITE_PAPER: "downloaded_white_paper",
}


@dataclass(frozen=True)
class ContentAnswer:
    #: The id the generator writes (``activity_contentasset.id``).
    id: int
    title: str
    kind: str
    url: str


def content_id(index: int) -> int:
    """The stored id of ``catalog.CONTENT[index]``."""
    return index + 1


def _asset(index: int) -> ContentAnswer:
    spec = catalog.CONTENT[index]
    return ContentAnswer(content_id(index), spec.title, spec.kind.value, catalog.SITE + spec.path)


def _sentence_with(body: str, claim: str) -> str:
    for sentence in body.replace("? ", ". ").split(". "):
        if claim.lower() in sentence.lower():
            return sentence.strip().rstrip(".") + "."
    return ""


def _false_claims(index: int) -> list[dict[str, str]]:
    """The asset's own false promise first, then any other false promise its copy repeats."""
    spec = catalog.CONTENT[index]
    promises = [spec.false_promise] + [
        a.false_promise for a in catalog.CONTENT if a.false_promise != spec.false_promise
    ]
    seen: list[str] = []
    for promise in promises:
        if promise and promise not in seen and promise.lower() in spec.body.lower():
            seen.append(promise)
    return [{"claim": claim, "quote": _sentence_with(spec.body, claim)} for claim in seen]


def _user(key: int, users: dict[int, DemoUser]) -> dict[str, Any]:
    return {"key": key, "username": users[key].username, "team": users[key].team}


def static_answers(truth: GroundTruth = GROUND_TRUTH) -> dict[str, Any]:
    """The answer key except the stuffed opportunities, with the generator's ids."""
    effects = sorted(truth.channel_effects.items(), key=lambda item: (-item[1], item[0]))
    best_channels = [c for c, effect in effects if effect >= CLEAR_EFFECT]
    worst_channels = [c for c, effect in reversed(effects) if effect <= -CLEAR_EFFECT]

    best_content: list[dict[str, Any]] = []
    white_papers: list[dict[str, Any]] = []
    for index, spec in enumerate(catalog.CONTENT):
        feature = FEATURE_OF_KIND.get(spec.kind)
        if feature is None:
            continue
        effect = truth.coefficients[feature]
        row = {**_asset(index).__dict__, "feature": feature, "effect": effect}
        if effect >= CLEAR_EFFECT:
            best_content.append(row)
        elif spec.kind is ContentKind.WHITE_PAPER:
            white_papers.append(
                {**row, "why": "lead magnet: MQL points, no effect on conversion or revenue"}
            )
    best_content.sort(key=lambda row: (-row["effect"], row["id"]))

    misinforming = [
        {**_asset(i).__dict__, "false_claims": _false_claims(i)}
        for i, spec in enumerate(catalog.CONTENT)
        if spec.title in truth.misleading_content
    ]
    worst_content = white_papers + [
        {
            **{k: row[k] for k in ("id", "title", "kind", "url")},
            "why": "misinforms: promises " + ", ".join(c["claim"] for c in row["false_claims"]),
        }
        for row in misinforming
    ]

    users = {u.key: u for u in demo_users()}
    return {
        "best_channels": best_channels,
        "worst_channels": worst_channels,
        "channel_effects": dict(effects),
        "best_content": best_content,
        "worst_content": worst_content,
        "misinforming_content": misinforming,
        "slow_responders": [_user(key, users) for key in truth.slow_responders],
        "pipeline_stuffers": [
            {**_user(key, users), "stuffing_rate": rate}
            for key, rate in sorted(truth.pipeline_stuffers.items())
        ],
        "other_reps_stuffing_rate": truth.stuffing_rate,
        "mql_threshold": truth.mql_threshold,
    }
