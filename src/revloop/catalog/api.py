"""The offer catalog over the API: read and save the active version, check copy against it."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from pydantic import Field

from revloop.catalog.actions import do_save_catalog
from revloop.catalog.models import CatalogVersion
from revloop.catalog.versions import active_checker, active_version
from revloop.core.bounds import CleanText
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.truth import FORMATS
from revloop.users.policy import require
from revloop.users.requests import ApiRequest

router = Router(tags=["catalog"])

#: Copy longer than this is a document to split, not a piece of copy.
MAX_TEXT = 200_000


class CatalogOut(Schema):
    version: int
    company: str
    created_by: str | None
    created_at: datetime
    text: str


class CheckIn(Schema):
    text: CleanText = Field(min_length=1, max_length=MAX_TEXT, description="the copy to check")
    format: str = Field("plain", description=f"one of: {', '.join(FORMATS)}")


class FindingOut(Schema):
    kind: str
    fact: str = Field(description="the catalog fact's id, or unknown_* / plan_price")
    start: int = Field(description="offset into `text` of the response")
    end: int
    sentence: str
    subject: str
    truth: str
    rewrite: str
    method: str
    score: float


class CheckOut(Schema):
    version: int
    clean: bool
    text: str = Field(description="the text that was read, which offsets point into")
    findings: list[FindingOut]


class CatalogIn(Schema):
    text: CleanText = Field(min_length=1, max_length=MAX_TEXT, description="the catalog's YAML")
    note: CleanText = Field("", max_length=2000, description="why it changed")


class SavedOut(CatalogOut):
    new: bool = Field(description="false when the active version already says the same")


def _out(version: CatalogVersion) -> CatalogOut:
    return CatalogOut(
        version=version.number,
        company=version.company,
        created_by=version.created_by.username if version.created_by else None,
        created_at=version.created_at,
        text=version.text,
    )


@router.get("/catalog", response=CatalogOut)
def get_catalog(request: ApiRequest) -> CatalogOut:
    """The offer catalog in force."""
    require(request.auth, "copy.check")
    version = active_version()
    if version is None:
        raise NotFoundError("no offer catalog has been saved yet")
    return _out(version)


@router.post("/catalog", response=SavedOut)
def save_catalog(request: ApiRequest, body: CatalogIn) -> SavedOut:
    """Make a new version active (marketing, sales_manager or admin); errors name line and field."""
    version, new = do_save_catalog(
        body.text,
        by=request.auth,
        source="catalog.yaml",
        note=body.note,
    )
    return SavedOut(**_out(version).model_dump(), new=new)


@router.post("/catalog/check", response=CheckOut)
def check(request: ApiRequest, body: CheckIn) -> CheckOut:
    """Check copy against the active catalog: every false claim, wrong number or unknown name."""
    require(request.auth, "copy.check")
    if body.format not in FORMATS:
        raise InvalidInputError(f"format must be one of: {', '.join(FORMATS)}")
    version, checker = active_checker()
    report = checker.check(body.text, body.format)
    return CheckOut(
        version=version.number,
        clean=report.clean,
        text=report.text,
        findings=[FindingOut(**f.to_dict()) for f in report.findings],
    )
