"""The shapes of incoming data: one event, one identify call, one person upsert."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from revloop.core.bounds import MAX_JSON_DEPTH, BoundedDateTime, CleanText, DbId, JsonObject
from revloop.engine.vocabulary import Channel, TouchType

MAX_BATCH = 1000

Text200 = Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=200)]
Url = Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=2000)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp needs a time zone, e.g. 2026-03-02T09:30:00+01:00 or …Z")
    return value


AwareDatetime = Annotated[BoundedDateTime, AfterValidator(_aware)]


class EventIn(BaseModel):
    """One touch. ``event_id`` makes it idempotent: the same id is stored once."""

    model_config = ConfigDict(extra="forbid")

    event_id: Annotated[
        CleanText, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)
    ]
    timestamp: AwareDatetime
    type: TouchType
    email: Annotated[CleanText, StringConstraints(max_length=320)] | None = None
    anonymous_id: Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=128)] = (
        ""
    )
    channel: Channel | None = None
    campaign: Text200 = Field("", description="campaign name or utm_campaign value")
    content_id: DbId | None = Field(None, description="id of a content asset")
    url: Url = ""
    utm_source: Text200 = ""
    utm_medium: Text200 = ""
    utm_campaign: Text200 = ""
    utm_content: Text200 = ""
    utm_term: Text200 = ""
    properties: JsonObject = Field(
        default_factory=dict,
        description=f"any JSON object nested at most {MAX_JSON_DEPTH} deep; finite numbers only",
    )


class EventBatch(BaseModel):
    events: list[EventIn] = Field(..., max_length=MAX_BATCH)


class FieldError(BaseModel):
    field: str
    message: str


class ItemResult(BaseModel):
    index: int
    id: str | None = None
    status: str = Field(
        ..., description="stored, duplicate, created, updated, unchanged or rejected"
    )
    errors: list[FieldError] = Field(default_factory=list)
    warnings: list[FieldError] = Field(
        default_factory=list,
        description="what a stored item named that revloop does not know (an unknown content id)",
    )


class BatchResult(BaseModel):
    counts: dict[str, int]
    warnings: int = Field(default=0, description="how many items were stored with a warning")
    results: list[ItemResult]


class Profile(BaseModel):
    """Person fields any capture path may set."""

    model_config = ConfigDict(extra="forbid")

    first_name: Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    last_name: Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    title: Text200 = ""
    persona: Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    phone: Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    country: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^([A-Za-z]{2})?$")
    ] = ""


class PersonIn(Profile):
    """A person to create or update, found by email (whatever its letter case)."""

    email: Annotated[CleanText, StringConstraints(max_length=320)]
    company: Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=255)] = Field(
        "", description="company name, matched to an account when the email domain is not"
    )
    consent: Literal["unknown", "granted", "denied"] | None = None


class PeopleBatch(BaseModel):
    people: list[PersonIn] = Field(..., max_length=MAX_BATCH)


class IdentifyIn(BaseModel):
    """Tie a browser's anonymous id to a person; their earlier touches follow."""

    model_config = ConfigDict(extra="forbid")

    anonymous_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)
    ]
    email: Annotated[CleanText, StringConstraints(max_length=320)]
    traits: Profile = Field(default_factory=Profile)


class IdentifyOut(BaseModel):
    person_id: int
    created: bool
    stitched_touches: int
