"""The packaged free-mail list: well-formed, no duplicates, and the big providers on it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from revloop.engine.identity.email import normalize_email
from revloop.engine.identity.freemail import (
    DATA_FILE,
    free_mail_domains,
    is_free_mail_domain,
    load_domain_list,
)

RAW_LINES = resources.files("revloop.engine.identity").joinpath(DATA_FILE).read_text().splitlines()
ENTRIES = [line.strip() for line in RAW_LINES if line.strip() and not line.startswith("#")]


def test_the_list_has_a_few_hundred_unique_well_formed_domains() -> None:
    assert 300 <= len(ENTRIES) <= 1000
    assert len(ENTRIES) == len(set(ENTRIES)), "duplicate entries"
    for entry in ENTRIES:
        assert entry == entry.lower()
        assert normalize_email(f"x@{entry}").domain == entry


def test_the_header_says_where_the_list_comes_from_and_how_to_update_it() -> None:
    header = "\n".join(line for line in RAW_LINES[:25] if line.startswith("#"))
    assert "Where it comes from" in header
    assert "How to update" in header


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.co.uk",
        "yahoo.fr",
        "icloud.com",
        "proton.me",
        "gmx.de",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
    ],
)
def test_the_big_providers_are_free_mail(domain: str) -> None:
    assert domain in free_mail_domains()
    assert is_free_mail_domain(domain)


def test_sub_domains_of_free_mail_are_free_mail() -> None:
    assert is_free_mail_domain("mail.yahoo.co.jp")
    assert not is_free_mail_domain("acme.com")
    assert not is_free_mail_domain("co.jp")


def test_a_deployment_can_load_its_own_list(tmp_path: Path) -> None:
    path = tmp_path / "extra.txt"
    path.write_text("# regional ISPs\nExample-ISP.net  # comment\n\n")
    extra = load_domain_list(path)
    assert extra == frozenset({"example-isp.net"})
    assert is_free_mail_domain("pop.example-isp.net", extra)
