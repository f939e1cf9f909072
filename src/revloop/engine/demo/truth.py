"""The rules the demo company's data is generated from: its ground truth.

Analytics tests compare what they find in the generated data with these numbers;
:mod:`revloop.engine.demo.generator` explains them in prose. The generator reads
its parameters from here, so the documentation cannot drift from the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from revloop.engine.vocabulary import Channel, LifecycleStage

_V = TypeVar("_V")


def _frozen(values: Mapping[str, _V]) -> Mapping[str, _V]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class GroundTruth:
    #: Cumulative engagement points at which a lead becomes an MQL.
    mql_threshold: float
    #: Engagement points of each kind of touch ("action").
    points: Mapping[str, float]
    #: The ideal customer profile: industry, employee count (inclusive) and region.
    icp_industries: tuple[str, ...]
    icp_employees: tuple[int, int]
    icp_regions: tuple[str, ...]
    #: Features of the conversion logit, in a fixed order.
    features: tuple[str, ...]
    #: Logit coefficient of each feature, shared by every conversion step. A
    #: behaviour feature is 1 when the person did it before the decision.
    coefficients: Mapping[str, float]
    #: Logit shift by the person's source (first-touch channel).
    channel_effects: Mapping[str, float]
    #: Logit shift by persona (job function).
    persona_effects: Mapping[str, float]
    #: Logit shift for junk that got past the first call (student, competitor,
    #: bad data, duplicate).
    junk_penalty: float
    #: Intercept of each conversion step.
    intercepts: Mapping[str, float]
    #: Kinds of people who never win, whatever they do.
    never_win: tuple[str, ...]
    #: Probability that the owning rep rejects an MQL for a reason, given its trigger.
    rejection: Mapping[str, float]
    #: Wrong-target rejection probability by kind of person.
    wrong_target: Mapping[str, float]
    #: Misinformed rejections of people who saw no misleading asset.
    misinformed_unexposed: float
    #: Where each reason code sends the person.
    reason_stage: Mapping[str, str]
    #: Titles of the content assets that promise what the company does not offer.
    misleading_content: tuple[str, ...]
    #: Reps (user keys) who stuff the pipeline, with the share of their stalled SQLs
    #: they turn into end-of-quarter opportunities; other reps do it at ``stuffing_rate``.
    pipeline_stuffers: Mapping[int, float]
    stuffing_rate: float
    #: Reps who answer MQLs slowly (median ~40 business hours) and let 15% drop.
    slow_responders: tuple[int, ...]


_DQ = LifecycleStage.DISQUALIFIED.value
_RECYCLED = LifecycleStage.RECYCLED.value

GROUND_TRUTH = GroundTruth(
    mql_threshold=100.0,
    points=_frozen(
        {
            "site_view": 2.0,
            "blog_view": 2.0,
            "video_view": 5.0,
            "pricing_view": 10.0,
            "pricing_chat": 15.0,
            "demo_request": 100.0,
            "white_paper_download": 20.0,
            "ebook_download": 15.0,
            "datasheet_download": 10.0,
            "case_study_view": 10.0,
            "webinar_registration": 10.0,
            "webinar_attended": 25.0,
            "webinar_missed": 0.0,
            "email_open": 1.0,
            "email_click": 5.0,
            "ad_click": 3.0,
            "landing_form": 15.0,
            "newsletter_signup": 5.0,
            "contact_form": 20.0,
            "event_visit": 30.0,
            "sales_call": 0.0,
            "sales_meeting": 0.0,
        }
    ),
    icp_industries=("Logistics & Transportation", "Manufacturing", "Wholesale & Distribution"),
    icp_employees=(200, 5000),
    icp_regions=("NA", "EMEA"),
    features=(
        "icp_fit",
        "viewed_pricing",
        "requested_demo",
        "attended_webinar",
        "read_case_study",
        "downloaded_white_paper",
    ),
    coefficients=_frozen(
        {
            "icp_fit": 1.0,
            "viewed_pricing": 0.8,
            "requested_demo": 1.2,
            "attended_webinar": 0.6,
            "read_case_study": 0.5,
            "downloaded_white_paper": 0.0,
        }
    ),
    channel_effects=_frozen(
        {
            Channel.REFERRAL.value: 0.8,
            Channel.EVENTS.value: 0.7,
            Channel.WEBINARS.value: 0.3,
            Channel.PAID_SEARCH.value: 0.2,
            Channel.DIRECT.value: 0.2,
            Channel.ORGANIC_SEARCH.value: 0.0,
            Channel.EMAIL.value: 0.0,
            Channel.PAID_SOCIAL.value: -0.6,
            Channel.CONTENT_SYNDICATION.value: -0.8,
        }
    ),
    persona_effects=_frozen(
        {
            "executive": 0.3,
            "operations": 0.4,
            "finance": 0.2,
            "it": 0.0,
            "end_user": -0.2,
            "marketing": -0.6,
            "other": -0.4,
            "student": -1.0,
            "": -1.0,
        }
    ),
    junk_penalty=2.5,
    intercepts=_frozen(
        {
            "sal_to_sql": -1.6,
            "sql_to_opportunity": -1.0,
            "opportunity_to_won": -3.6,
        }
    ),
    never_win=("free_mail", "student", "competitor", "bad_data"),
    rejection=_frozen(
        {
            "bad_data": 0.9,
            "duplicate": 0.85,
            "student": 0.9,
            "competitor": 0.85,
            "misinformed": 0.4,
            "no_budget": 0.06,
        }
    ),
    wrong_target=_frozen({"free_mail": 0.45, "non_icp": 0.30, "icp": 0.03}),
    misinformed_unexposed=0.01,
    reason_stage=_frozen(
        {
            "bad_data": _DQ,
            "duplicate": _DQ,
            "student": _DQ,
            "competitor": _DQ,
            "wrong_target": _DQ,
            "misinformed": _RECYCLED,
            "no_budget": _RECYCLED,
            "not_now": _RECYCLED,
            "no_response": _RECYCLED,
            "closed_lost": _RECYCLED,
        }
    ),
    misleading_content=(
        "The Sensor Kit Buying Checklist",
        "Switching Telematics Providers Made Easy",
        "Small Fleet Promo",
    ),
    pipeline_stuffers=MappingProxyType({6: 0.7, 9: 0.6}),
    stuffing_rate=0.05,
    slow_responders=(7,),
)
