"""Importing an uploaded export through the API and the imports page: the same report as
``revloop import --json``, with every warning and error on its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from revloop.engine.vocabulary import Role
from revloop.pipeline.models import Opportunity
from revloop.users.models import User
from tests.engine.test_imports_real_exports import SALESFORCE_HEADER, SALESFORCE_ROWS

#: A line the importer cannot read: its close date is no date.
BAD_ROW = (
    "Closed,someday,3/10/2016,APAC,Upsell,Web,Closed Won - Paid,Annual,"
    '0061a00000XyZadAAC,"$10.00",,"$10.00","$10.00"'
)


def export() -> bytes:
    """A Salesforce opportunity export whose lines end in CR alone (old Mac Excel)."""
    return ("\r".join([SALESFORCE_HEADER, *SALESFORCE_ROWS, BAD_ROW]) + "\r").encode()


def upload(content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("opportunities.csv", export() if content is None else content)


@pytest.fixture
def sales_manager(make_user: Callable[..., User]) -> User:
    return make_user("sam", Role.SALES_MANAGER)


def assert_the_export_report(report: dict[str, object]) -> None:
    assert (report["read"], report["stored"], report["skipped"]) == (4, 3, 1)
    assert report["format"] == "salesforce"
    assert report["file_notes"] == ["lines end in CR alone"]
    assert report["warnings"] == [
        {
            "row": 4,
            "field": "Close Date",
            "value": "2016-03-03, created 2016-03-10",
            "reason": "closes before it was created",
        }
    ]
    (error,) = report["errors"]  # type: ignore[misc]
    assert (error["row"], error["field"], error["value"]) == (5, "Close Date", "someday")


@pytest.mark.django_db
def test_the_api_imports_an_export_and_answers_the_commands_report(
    sales_manager: User, token_client: Callable[..., Client], settings: Settings
) -> None:
    response = token_client(sales_manager).post("/api/v1/imports/opportunities", {"file": upload()})

    assert response.status_code == 200, response.content
    report = response.json()
    assert_the_export_report(report)
    assert report["committed"] is True
    assert Opportunity.objects.count() == 3
    # The upload and its error file are gone: the report carries every skipped row.
    assert list((Path(settings.REVLOOP_HOME) / "imports").iterdir()) == []


@pytest.mark.django_db
def test_a_dry_run_through_the_api_counts_and_stores_nothing(
    sales_manager: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(sales_manager).post(
        "/api/v1/imports/opportunities", {"file": upload(), "dry_run": "true"}
    )

    assert response.status_code == 200, response.content
    assert_the_export_report(response.json())
    assert response.json()["committed"] is False
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_strict_and_the_commands_options_are_form_fields(
    sales_manager: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(sales_manager)
    strict = client.post("/api/v1/imports/opportunities", {"file": upload(), "strict": "true"})
    assert (strict.status_code, strict.json()["committed"]) == (200, False)
    assert Opportunity.objects.count() == 0

    generic = b'Name,Revenue,Close Date\nBig deal,"1.234,50",1/2/2024\n'
    response = client.post(
        "/api/v1/imports/opportunities",
        {
            "file": upload(generic),
            "stage": "won",
            "decimal_comma": "true",
            "column": ["amount=Revenue"],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 1
    deal = Opportunity.objects.get(name="Big deal")
    assert (deal.stage, str(deal.amount)) == ("won", "1234.50")


@pytest.mark.django_db
def test_who_may_import_what(
    marketer: User, sales_manager: User, rep: User, token_client: Callable[..., Client]
) -> None:
    people = b"Email,First Name\nzoe@x.example,Zoe\n"
    by_marketing = token_client(marketer)
    assert by_marketing.post("/api/v1/imports/people", {"file": upload(people)}).status_code == 200

    refused = by_marketing.post("/api/v1/imports/opportunities", {"file": upload()})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert (
        token_client(rep).post("/api/v1/imports/people", {"file": upload(people)}).status_code
        == 403
    )
    assert (
        token_client(sales_manager)
        .post("/api/v1/imports/people", {"file": upload(people)})
        .status_code
        == 403
    )
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_an_oversize_upload_or_an_unknown_kind_is_refused_with_a_reason(
    sales_manager: User, token_client: Callable[..., Client], settings: Settings
) -> None:
    settings.REVLOOP_IMPORT_MAX_BYTES = 100
    client = token_client(sales_manager)

    too_big = client.post("/api/v1/imports/opportunities", {"file": upload()})
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "too_large"
    assert "exceeds 100" in too_big.json()["message"]
    unknown = client.post("/api/v1/imports/invoices", {"file": upload(b"a\n1\n")})
    assert unknown.status_code == 404
    assert "invoices" in unknown.json()["message"]
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_is_a_400_naming_the_problem(
    sales_manager: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(sales_manager).post(
        "/api/v1/imports/opportunities", {"file": upload(b"")}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_file"


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_shows_the_report_with_each_line(sales_manager: User) -> None:
    client = _page(sales_manager)
    assert b'href="/imports/"' in client.get("/").content

    response = client.post(
        "/imports/", {"kind": "opportunities", "file": upload(), "format": "auto"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert '<td class="num" data-count="read">4</td>' in page
    assert '<td class="num" data-count="stored">3</td>' in page
    assert '<td class="num" data-count="skipped">1</td>' in page
    assert '<td class="num">4</td><td>Close Date</td>' in page  # the warning's line
    assert "closes before it was created" in page
    assert '<td class="num">5</td><td>Close Date</td><td>someday</td>' in page  # the error's
    assert "<script" not in page.split("<main")[-1]
    assert Opportunity.objects.count() == 3


@pytest.mark.django_db
def test_the_page_lists_unknown_stage_labels_with_the_lines_to_add(sales_manager: User) -> None:
    deals = b"Opportunity ID,Stage,Amount,Close Date\nD1,Dormant,10,1/2/2024\nD2,Won,5,1/2/2024\n"

    response = _page(sales_manager).post(
        "/imports/",
        {"kind": "opportunities", "file": upload(deals), "format": "auto", "dry_run": "on"},
    )

    page = response.content.decode()
    assert "nothing stored" in page
    assert "<pre data-mapping>opportunity_stage:\n  Dormant: " in page
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_the_page_is_for_roles_that_may_import(
    rep: User, marketer: User, settings: Settings
) -> None:
    assert _page(rep).get("/imports/").status_code == 403
    assert b'href="/imports/"' not in _page(rep).get("/").content
    page = _page(marketer).get("/imports/").content.decode()
    assert '<option value="people">' in page
    assert '<option value="opportunities">' not in page

    settings.REVLOOP_IMPORT_MAX_BYTES = 10
    people = b"Email,First Name\nzoe@x.example,Zoe\n"
    too_big = _page(marketer).post(
        "/imports/", {"kind": "people", "file": upload(people), "format": "auto"}
    )
    assert too_big.status_code == 413
    assert b"exceeds 10" in too_big.content


@pytest.mark.django_db
def test_the_upload_limit_is_its_own_not_the_request_bodys(
    marketer: User, token_client: Callable[..., Client], settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    people = b"Email,First Name\n" + b"".join(b"p%d@x.example,P%d\n" % (n, n) for n in range(200))
    assert len(people) > 3 * 1024

    response = token_client(marketer).post("/api/v1/imports/people", {"file": upload(people)})

    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 200
