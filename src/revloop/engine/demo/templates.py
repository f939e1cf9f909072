"""The kinds of touch a person can make: type, channel, content kind and points.

A *template* is one recognisable action ("downloads a white paper from a LinkedIn
ad"). People draw their touches from these with weights that depend on their
buying intent (``intent`` is the log-weight per unit of intent) and on who they
are, so behaviour carries signal. Points come from
:data:`~revloop.engine.demo.truth.GROUND_TRUTH`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from revloop.engine.demo.arrays import F64, I64, Bool
from revloop.engine.demo.truth import GROUND_TRUTH
from revloop.engine.vocabulary import Channel, ContentKind, TouchType


class TouchTemplate(NamedTuple):
    name: str
    type: TouchType
    channel: Channel
    kind: ContentKind | None
    action: str
    #: Weight in the everyday mix of touches after a person is known (0: never).
    weight: float
    #: How strongly buying intent raises this template's weight (log scale).
    intent: float
    #: Happens on the website, so it carries the visitor's cookie id and UTM tags.
    web: bool = True


_T = TouchTemplate
_PV, _FS, _DL, _EO, _EC, _AD, _WB, _EV, _CH, _CALL, _MEET = (
    TouchType.PAGE_VIEW,
    TouchType.FORM_SUBMIT,
    TouchType.CONTENT_DOWNLOAD,
    TouchType.EMAIL_OPEN,
    TouchType.EMAIL_CLICK,
    TouchType.AD_CLICK,
    TouchType.WEBINAR,
    TouchType.EVENT,
    TouchType.CHAT,
    TouchType.CALL,
    TouchType.MEETING,
)
_ORG, _PS, _SOC, _EM, _EVS, _WEBS, _SYN, _REF, _DIR, _SALES = (
    Channel.ORGANIC_SEARCH,
    Channel.PAID_SEARCH,
    Channel.PAID_SOCIAL,
    Channel.EMAIL,
    Channel.EVENTS,
    Channel.WEBINARS,
    Channel.CONTENT_SYNDICATION,
    Channel.REFERRAL,
    Channel.DIRECT,
    Channel.SALES_OUTREACH,
)
_K = ContentKind

TEMPLATES: tuple[TouchTemplate, ...] = (
    _T("blog_organic", _PV, _ORG, _K.BLOG_POST, "blog_view", 14.0, 0.0),
    _T("blog_direct", _PV, _DIR, _K.BLOG_POST, "blog_view", 5.0, 0.0),
    _T("site_direct", _PV, _DIR, None, "site_view", 8.0, 0.2),
    _T("site_referral", _PV, _REF, None, "site_view", 1.5, 0.3),
    _T("pricing_direct", _PV, _DIR, _K.PRICING_PAGE, "pricing_view", 2.0, 1.0),
    _T("pricing_organic", _PV, _ORG, _K.PRICING_PAGE, "pricing_view", 0.7, 1.0),
    _T("pricing_chat", _CH, _DIR, _K.PRICING_PAGE, "pricing_chat", 0.3, 1.0),
    _T("demo_direct", _FS, _DIR, _K.DEMO_REQUEST, "demo_request", 0.25, 1.4),
    _T("demo_organic", _FS, _ORG, _K.DEMO_REQUEST, "demo_request", 0.1, 1.4),
    _T("demo_paid_search", _FS, _PS, _K.DEMO_REQUEST, "demo_request", 0.0, 1.4),
    _T("demo_referral", _FS, _REF, _K.DEMO_REQUEST, "demo_request", 0.0, 1.4),
    _T("white_paper_social", _DL, _SOC, _K.WHITE_PAPER, "white_paper_download", 2.5, -0.2),
    _T(
        "white_paper_syndication",
        _DL,
        _SYN,
        _K.WHITE_PAPER,
        "white_paper_download",
        1.5,
        -0.3,
        web=False,
    ),
    _T("white_paper_organic", _DL, _ORG, _K.WHITE_PAPER, "white_paper_download", 2.5, 0.0),
    _T("white_paper_email", _DL, _EM, _K.WHITE_PAPER, "white_paper_download", 1.5, 0.0),
    _T("ebook_email", _DL, _EM, _K.EBOOK, "ebook_download", 1.0, 0.0),
    _T("ebook_social", _DL, _SOC, _K.EBOOK, "ebook_download", 1.0, -0.2),
    _T("ebook_organic", _DL, _ORG, _K.EBOOK, "ebook_download", 0.5, 0.0),
    # Competitor-term ads lead to the switching e-book (the search campaign's own asset).
    _T("ebook_paid_search", _DL, _PS, _K.EBOOK, "ebook_download", 0.8, 0.3),
    _T("datasheet_direct", _DL, _DIR, _K.DATASHEET, "datasheet_download", 1.0, 0.5),
    _T("case_study_organic", _PV, _ORG, _K.CASE_STUDY, "case_study_view", 1.0, 0.8),
    _T("case_study_referral", _PV, _REF, _K.CASE_STUDY, "case_study_view", 0.4, 0.8),
    _T("case_study_email", _PV, _EM, _K.CASE_STUDY, "case_study_view", 0.5, 0.8),
    _T("video_organic", _PV, _ORG, _K.VIDEO, "video_view", 1.0, 0.2),
    _T("webinar", _WB, _WEBS, _K.WEBINAR, "webinar_attended", 1.3, 0.6, web=False),
    _T("webinar_registration", _FS, _WEBS, _K.WEBINAR, "webinar_registration", 0.0, 0.3),
    _T("email_open", _EO, _EM, _K.EMAIL, "email_open", 16.0, 0.0, web=False),
    _T("email_click", _EC, _EM, _K.EMAIL, "email_click", 5.0, 0.3),
    _T("ad_paid_search", _AD, _PS, _K.LANDING_PAGE, "ad_click", 2.5, 0.3),
    _T("ad_paid_social", _AD, _SOC, _K.LANDING_PAGE, "ad_click", 2.5, -0.2),
    _T("landing_paid_search", _FS, _PS, _K.LANDING_PAGE, "landing_form", 0.0, 0.3),
    _T("landing_paid_social", _FS, _SOC, _K.LANDING_PAGE, "landing_form", 0.0, 0.0),
    _T("landing_referral", _FS, _REF, _K.LANDING_PAGE, "landing_form", 0.0, 0.3),
    _T("newsletter_signup", _FS, _ORG, _K.BLOG_POST, "newsletter_signup", 0.0, 0.0),
    _T("contact_direct", _FS, _DIR, None, "contact_form", 0.0, 0.5),
    _T("event", _EV, _EVS, None, "event_visit", 0.6, 0.5, web=False),
    _T("sales_call", _CALL, _SALES, None, "sales_call", 0.0, 0.0, web=False),
    _T("sales_meeting", _MEET, _SALES, None, "sales_meeting", 0.0, 0.0, web=False),
)
INDEX = {t.name: i for i, t in enumerate(TEMPLATES)}
N = len(TEMPLATES)

#: How people are first identified, by source channel: (template, weight).
IDENTIFYING: dict[Channel, tuple[tuple[str, float], ...]] = {
    _ORG: (
        ("white_paper_organic", 4.0),
        ("newsletter_signup", 2.0),
        ("ebook_organic", 2.0),
        ("demo_organic", 1.0),
    ),
    _PS: (("landing_paid_search", 6.0), ("demo_paid_search", 3.0), ("ebook_paid_search", 2.0)),
    _SOC: (("white_paper_social", 5.0), ("landing_paid_social", 3.0), ("ebook_social", 2.0)),
    _SYN: (("white_paper_syndication", 1.0),),
    _EVS: (("event", 1.0),),
    _WEBS: (("webinar_registration", 1.0),),
    _REF: (("landing_referral", 6.0), ("demo_referral", 4.0)),
    _DIR: (("demo_direct", 3.0), ("contact_direct", 3.0), ("datasheet_direct", 2.0)),
}
#: The anonymous visit that precedes identification, by source channel.
ANONYMOUS: dict[Channel, str] = {
    _ORG: "blog_organic",
    _PS: "ad_paid_search",
    _SOC: "ad_paid_social",
    _REF: "site_referral",
    _DIR: "site_direct",
}
#: What anonymous visitors who never identify do.
VISITOR_MIX: tuple[tuple[str, float], ...] = (
    ("blog_organic", 8.0),
    ("site_direct", 4.0),
    ("pricing_direct", 1.0),
    ("ad_paid_search", 2.0),
    ("ad_paid_social", 2.0),
    ("blog_direct", 1.0),
    ("video_organic", 1.0),
)


TYPE: tuple[str, ...] = tuple(t.type.value for t in TEMPLATES)
CHANNEL: tuple[str, ...] = tuple(t.channel.value for t in TEMPLATES)
CHANNEL_OF: I64 = np.array([list(Channel).index(t.channel) for t in TEMPLATES], dtype=np.int64)
KIND_OF: I64 = np.array(
    [list(ContentKind).index(t.kind) if t.kind else -1 for t in TEMPLATES], dtype=np.int64
)
WEB: Bool = np.array([t.web for t in TEMPLATES], dtype=bool)
POINTS: F64 = np.array([GROUND_TRUTH.points[t.action] for t in TEMPLATES], dtype=np.float64)
WEBINAR_MISSED_POINTS = GROUND_TRUTH.points["webinar_missed"]


def is_template(names: tuple[str, ...]) -> Bool:
    return np.isin(np.arange(N), [INDEX[n] for n in names])


def _of_kind(kind: ContentKind) -> Bool:
    return np.array([t.kind == kind for t in TEMPLATES], dtype=bool)


WHITE_PAPER: Bool = _of_kind(ContentKind.WHITE_PAPER)
PRICING: Bool = _of_kind(ContentKind.PRICING_PAGE)
DEMO: Bool = _of_kind(ContentKind.DEMO_REQUEST)
CASE_STUDY: Bool = _of_kind(ContentKind.CASE_STUDY)
EMAIL: Bool = np.array([t.channel == Channel.EMAIL for t in TEMPLATES], dtype=bool)
WEBINAR: int = INDEX["webinar"]
WEBINAR_REGISTRATION: int = INDEX["webinar_registration"]
EVENT: int = INDEX["event"]
SALES_CALL: int = INDEX["sales_call"]
SALES_MEETING: int = INDEX["sales_meeting"]


def everyday_weights(kind_factors: dict[str, float], email_allowed: bool) -> F64:
    """Baseline weights of the everyday mix for one kind of person.

    ``kind_factors`` maps a template-group name (see :func:`_groups`) to a
    multiplier: students download white papers, competitors study pricing.
    """
    weights = np.array([t.weight for t in TEMPLATES], dtype=np.float64)
    groups = _groups()
    for group, factor in kind_factors.items():
        weights[groups[group]] *= factor
    if not email_allowed:
        weights[EMAIL] = 0.0
    return weights


def _groups() -> dict[str, Bool]:
    return {
        "white_paper": WHITE_PAPER,
        "pricing": PRICING,
        "demo": DEMO,
        "case_study": CASE_STUDY,
        "email": EMAIL,
        "webinar": is_template(("webinar",)),
        "datasheet": is_template(("datasheet_direct",)),
        "event": is_template(("event",)),
    }


INTENT: F64 = np.array([t.intent for t in TEMPLATES], dtype=np.float64)
