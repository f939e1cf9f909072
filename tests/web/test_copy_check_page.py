"""/copy-check/: marketing pastes copy or uploads a file and sees false claims marked in place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from revloop.catalog.actions import do_save_catalog
from revloop.users.models import User
from revloop.web.copy_check import MAX_UPLOAD

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).resolve().parents[1] / "data" / "copy_checks" / "catalog.yaml").read_text()
URL = "/copy-check/"
SHIPPING_TRUTH = "Shipping is charged at cost on every hardware order."


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def marks(html: str) -> list[str]:
    """The text inside each <mark>, without the footnote links."""
    return [
        re.sub(r"<sup>.*?</sup>", "", m)
        for m in re.findall(r"<mark id=\"[^\"]+\">(.*?)</mark>", html)
    ]


@pytest.fixture
def catalog(marketer: User) -> None:
    do_save_catalog(SAMPLE, by=marketer)


def test_a_pasted_false_claim_is_marked_with_its_truth(marketer: User, catalog: None) -> None:
    text = "Meet the Edge Gateway. It ships free to every customer. Support is friendly."
    response = signed_in(marketer).post(URL, {"text": text, "format": "auto"})
    html = response.content.decode()
    assert response.status_code == 200
    assert marks(html) == ["It ships free to every customer."]
    item = re.search(r'<li id="finding-1" data-fact="free_shipping">(.*?)</li>', html, re.S)
    assert item, "the finding is not listed beside the text"
    assert SHIPPING_TRUTH in item.group(1)
    assert 'href="#mark-1"' in item.group(1)  # the list links back to the mark
    assert '<a href="#finding-1">1</a>' in html  # and the mark to the list
    assert "Meet the Edge Gateway. " in html  # the rest of the text is there, unmarked


def test_two_findings_in_one_sentence_share_a_mark(marketer: User, catalog: None) -> None:
    text = "Get the Edge Gateway with free shipping and a money-back guarantee."
    html = signed_in(marketer).post(URL, {"text": text}).content.decode()
    assert marks(html) == [text]
    assert set(re.findall(r'data-fact="(\w+)"', html)) == {"free_shipping", "money_back"}
    assert html.count('href="#mark-1"') == 2


def test_clean_copy_says_nothing_false_was_found(viewer: User, catalog: None) -> None:
    response = signed_in(viewer).post(URL, {"text": "Shipping is charged at cost."})
    html = response.content.decode()
    assert 'data-result="clean"' in html
    assert "Nothing false found" in html
    assert "<mark" not in html


def test_an_html_upload_is_read_as_html(rep: User, catalog: None) -> None:
    page = (
        b"<html><body><h1>Offer</h1>"
        b"<p>Is shipping free? <b>Yes</b>, on every order.</p></body></html>"
    )
    upload = SimpleUploadedFile("promo.html", page, content_type="text/html")
    html = signed_in(rep).post(URL, {"file": upload, "format": "auto"}).content.decode()
    assert "read as html" in html
    assert marks(html) == ["Is shipping free? Yes, on every order."]
    assert "&lt;b&gt;" not in html
    assert "<b>Yes" not in html


def test_an_eml_upload_is_read_as_an_email(marketer: User, catalog: None) -> None:
    mail = (
        b"From: news@northwind.example\r\nTo: you@example.com\r\nSubject: Spring offer\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Hello,\r\n\r\n"
        b"Order the Edge Gateway today: we refund every cent if you are not happy.\r\n"
    )
    upload = SimpleUploadedFile("spring.eml", mail, content_type="message/rfc822")
    html = signed_in(marketer).post(URL, {"file": upload}).content.decode()
    assert "read as eml" in html
    assert re.findall(r'data-fact="(\w+)"', html) == ["money_back"]
    assert any("refund every cent" in m for m in marks(html))


def test_an_eml_in_its_own_charset_is_read(marketer: User, catalog: None) -> None:
    mail = (
        "From: news@northwind.example\r\nSubject: Offre\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Bonjour à tous. Shipping is free on every gateway.\r\n"
    ).encode("latin-1")
    upload = SimpleUploadedFile("offre.eml", mail)
    html = signed_in(marketer).post(URL, {"file": upload}).content.decode()
    assert "Bonjour à tous." in html
    assert re.findall(r'data-fact="(\w+)"', html) == ["free_shipping"]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("big.txt", b"Free shipping. " * (MAX_UPLOAD // 15 + 1), "larger than 1024 KiB"),
        ("logo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        ("latin.txt", "Livraison gratuite à vie.".encode("latin-1"), "not UTF-8"),
        ("deck.pdf", b"%PDF-1.7", "only .txt"),
    ],
)
def test_a_bad_upload_gets_a_form_error(
    marketer: User, catalog: None, name: str, content: bytes, error: str
) -> None:
    upload = SimpleUploadedFile(name, content)
    response = signed_in(marketer).post(URL, {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'data-error="file">{re.escape(name)}: [^<]*{re.escape(error)}', html)
    assert "data-result" not in html


def test_nothing_to_check_is_an_error(marketer: User, catalog: None) -> None:
    html = signed_in(marketer).post(URL, {"text": "   "}).content.decode()
    assert "Paste some copy or choose a file" in html


def test_without_a_catalog_it_says_who_can_save_one(marketer: User) -> None:
    html = signed_in(marketer).post(URL, {"text": "Free shipping!"}).content.decode()
    assert 'data-result="no-catalog"' in html
    assert "marketing, sales_manager or admin role" in html


def test_the_page_needs_a_sign_in_and_a_role(outsider: User) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert signed_in(outsider).get(URL).status_code == 403
    assert signed_in(outsider).post(URL, {"text": "Free shipping!"}).status_code == 403


def test_the_page_is_in_the_navigation(viewer: User) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    assert '<a href="/copy-check/" aria-current="page">Check copy</a>' in html


def test_it_needs_csrf(marketer: User, catalog: None) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post(URL, {"text": "Free shipping!"}).status_code == 403


def test_user_text_is_escaped(marketer: User, catalog: None) -> None:
    text = "<script>alert(1)</script> Shipping is free on every <b>order</b>."
    html = signed_in(marketer).post(URL, {"text": text, "format": "plain"}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>order" not in html
    assert "&lt;b&gt;order&lt;/b&gt;" in "".join(marks(html))


def test_a_check_costs_a_fixed_number_of_queries(
    marketer: User, catalog: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = signed_in(marketer)
    client.post(URL, {"text": "Warm-up so the parsed catalog is cached."})
    long_copy = " ".join(["Free shipping on every gateway. Support is friendly."] * 50)
    # session, the user and their groups (read once, with the user), the active catalog:
    # none per sentence or finding.
    with django_assert_num_queries(4):
        client.post(URL, {"text": long_copy})
