"""The shared words of revloop: stages, touch types, channels, content kinds.

Both teams read the same labels, so they are defined once here and the Django
models build their choices from them.
"""

from __future__ import annotations

from enum import StrEnum


class LifecycleStage(StrEnum):
    """Where a person stands in the revenue cycle (DESIGN.md item 4)."""

    LEAD = "lead"
    MQL = "mql"
    SAL = "sal"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    RECYCLED = "recycled"
    DISQUALIFIED = "disqualified"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    LifecycleStage.LEAD: "Lead",
    LifecycleStage.MQL: "MQL",
    LifecycleStage.SAL: "SAL (accepted)",
    LifecycleStage.SQL: "SQL",
    LifecycleStage.OPPORTUNITY: "Opportunity",
    LifecycleStage.CUSTOMER: "Customer",
    LifecycleStage.RECYCLED: "Recycled",
    LifecycleStage.DISQUALIFIED: "Disqualified",
}

#: The success path, in order; Recycled and Disqualified are detours off it.
SUCCESS_PATH: tuple[LifecycleStage, ...] = (
    LifecycleStage.LEAD,
    LifecycleStage.MQL,
    LifecycleStage.SAL,
    LifecycleStage.SQL,
    LifecycleStage.OPPORTUNITY,
    LifecycleStage.CUSTOMER,
)


class TouchType(StrEnum):
    PAGE_VIEW = "page_view"
    FORM_SUBMIT = "form_submit"
    EMAIL_OPEN = "email_open"
    EMAIL_CLICK = "email_click"
    CONTENT_DOWNLOAD = "content_download"
    WEBINAR = "webinar"
    AD_CLICK = "ad_click"
    MEETING = "meeting"
    CALL = "call"
    CHAT = "chat"
    EVENT = "event"


class Channel(StrEnum):
    ORGANIC_SEARCH = "organic_search"
    PAID_SEARCH = "paid_search"
    PAID_SOCIAL = "paid_social"
    EMAIL = "email"
    EVENTS = "events"
    WEBINARS = "webinars"
    CONTENT_SYNDICATION = "content_syndication"
    REFERRAL = "referral"
    DIRECT = "direct"
    SALES_OUTREACH = "sales_outreach"
    OTHER = "other"


class ContentKind(StrEnum):
    WHITE_PAPER = "white_paper"
    CASE_STUDY = "case_study"
    WEBINAR = "webinar"
    EBOOK = "ebook"
    LANDING_PAGE = "landing_page"
    EMAIL = "email"
    PRICING_PAGE = "pricing_page"
    DEMO_REQUEST = "demo_request"
    BLOG_POST = "blog_post"
    DATASHEET = "datasheet"
    VIDEO = "video"


class OpportunityStage(StrEnum):
    DISCOVERY = "discovery"
    QUALIFICATION = "qualification"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (OpportunityStage.WON, OpportunityStage.LOST)


OPEN_OPPORTUNITY_STAGES: tuple[OpportunityStage, ...] = tuple(
    s for s in OpportunityStage if not s.is_closed
)


class BuyingRole(StrEnum):
    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    CHAMPION = "champion"
    TECHNICAL_EVALUATOR = "technical_evaluator"
    INFLUENCER = "influencer"
    USER = "user"


class Role(StrEnum):
    """The five roles of DESIGN.md item 13, stored as Django groups."""

    MARKETING = "marketing"
    SALES_REP = "sales_rep"
    SALES_MANAGER = "sales_manager"
    ADMIN = "admin"
    VIEWER = "viewer"


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a form or model field."""
    return [
        (member.value, getattr(member, "label", member.value.replace("_", " ").capitalize()))
        for member in enum
    ]
