"""Email normalisation: one stored spelling and one identity key per mailbox.

- Case, surrounding whitespace and Unicode compatibility forms never make two people.
- Plus tags and dots are dropped only where the provider documents it.
- Bad input raises InvalidEmail naming the problem, whatever the input is.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.identity.email import (
    FAST_ASCII_EMAIL,
    MAX_ADDRESS_LENGTH,
    PROVIDER_RULES,
    InvalidEmail,
    canonical_email,
    normalize_email,
    normalized_parts,
)

PROPERTY = settings(max_examples=300, deadline=None)


def test_it_lowercases_and_strips() -> None:
    email = normalize_email("  Ada.Lovelace@Example.COM \t")
    assert email.address == "ada.lovelace@example.com"
    assert email.canonical == "ada.lovelace@example.com"
    assert (email.local, email.domain) == ("ada.lovelace", "example.com")
    assert not email.is_free_mail


def test_it_applies_nfkc_before_splitting() -> None:
    # Full-width letters and at sign, as pasted from some East Asian input methods.
    assert (
        normalize_email(
            "\uff41\uff44\uff41\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com"
        ).address
        == "ada@example.com"
    )


def test_it_converts_unicode_domains_to_punycode() -> None:
    email = normalize_email("jo@Bücher.de")
    assert email.domain == "xn--bcher-kva.de"
    assert normalize_email(email.address) == email


def test_gmail_ignores_dots_and_plus_tags_and_googlemail_is_gmail() -> None:
    a = normalize_email("Jo.Doe+newsletter@googlemail.com")
    assert a.address == "jo.doe+newsletter@googlemail.com"  # stored as given
    assert a.canonical == "jodoe@gmail.com"
    assert a.is_free_mail
    assert canonical_email("jodoe@gmail.com") == a.canonical


@pytest.mark.parametrize("domain", ["outlook.com", "hotmail.com", "icloud.com", "fastmail.com"])
def test_plus_only_providers_keep_dots(domain: str) -> None:
    assert canonical_email(f"jo.doe+crm@{domain}") == f"jo.doe@{domain}"


def test_corporate_domains_keep_plus_tags_and_dots() -> None:
    assert canonical_email("jo.doe+crm@acme.com") == "jo.doe+crm@acme.com"


def test_yahoo_is_not_treated_as_plus_addressing() -> None:
    assert "yahoo.com" not in PROVIDER_RULES
    assert canonical_email("jo+x@yahoo.com") == "jo+x@yahoo.com"


def test_a_tag_only_local_part_is_kept_whole() -> None:
    assert canonical_email("+news@gmail.com") == "+news@gmail.com"
    assert canonical_email("...@gmail.com") == "...@gmail.com"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ada.example.com", "no @"),
        ("a@b@example.com", "more than one @"),
        ("@example.com", "nothing before the @"),
        ("ada@", "no domain after the @"),
        ("ada@localhost", "has no dot"),
        ("ada@exa mple.com", "not allowed in the domain"),
        ("ada lovelace@example.com", "before the @"),
        ("ada@example..com", "two dots in a row"),
        ("ada@-example.com", "starts or ends with '-'"),
        ("ada@example.123", "not a top-level domain"),
        ('"ada"@example.com', "not allowed before the @"),
        ("ada\u200b@example.com", "invisible"),
        ("a" * 65 + "@example.com", "longer than 64"),
        ("ada@" + "x" * 64 + ".com", "longer than 63"),
    ],
)
def test_it_names_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalize_email(raw)
    assert reason in caught.value.reason
    assert reason in str(caught.value)


def test_it_rejects_addresses_over_254_characters() -> None:
    domain = ".".join(["d" * 60] * 4) + ".com"  # 247 characters
    with pytest.raises(InvalidEmail, match=f"too long .* > {MAX_ADDRESS_LENGTH}"):
        normalize_email("abcdefgh@" + domain)


@pytest.mark.parametrize("value", [None, 42, b"ada@example.com", ["ada@example.com"]])
def test_it_rejects_non_text_with_its_own_error(value: object) -> None:
    with pytest.raises(InvalidEmail, match="expected text"):
        normalize_email(value)


locals_ = st.from_regex(r"[A-Za-z0-9._%+\-]{1,20}", fullmatch=True)
domains = st.sampled_from(
    ["gmail.com", "GoogleMail.com", "outlook.com", "acme.com", "Eu.Acme.co.uk", "bücher.de"]
)


@PROPERTY
@given(st.text(max_size=80))
def test_it_never_crashes_on_arbitrary_text(raw: str) -> None:
    try:
        email = normalize_email(raw)
    except InvalidEmail:
        return
    assert email.address.count("@") == 1
    assert len(email.address) <= MAX_ADDRESS_LENGTH


@PROPERTY
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40).map(lambda s: s + "@x.com"))
def test_normalisation_is_idempotent(raw: str) -> None:
    try:
        email = normalize_email(raw)
    except InvalidEmail:
        return
    again = normalize_email(email.address)
    assert again == email
    assert normalize_email(email.canonical).canonical == email.canonical


@PROPERTY
@given(locals_, domains, st.randoms(use_true_random=False))
def test_it_is_case_and_whitespace_insensitive(local: str, domain: str, rnd: object) -> None:
    raw = f"{local}@{domain}"
    shuffled = "".join(
        c.upper() if rnd.random() < 0.5 else c.lower()  # type: ignore[attr-defined]
        for c in raw
    )
    try:
        expected = normalize_email(raw)
    except InvalidEmail:
        return
    assert normalize_email(f" \t{shuffled} ") == expected


@PROPERTY
@given(st.from_regex(FAST_ASCII_EMAIL, fullmatch=True))
def test_the_fast_path_agrees_with_the_full_rules(raw: str) -> None:
    from revloop.engine.identity import email as module

    assert module._FAST.fullmatch(raw) is not None
    assert module._normalize(raw) == module._normalize_slowly(raw)


@PROPERTY
@given(st.one_of(st.text(max_size=60), locals_.map(lambda local: f"{local}@Example.COM")))
def test_rebuilding_from_the_two_strings_gives_the_same_email(raw: str) -> None:
    """An address and its key, kept as strings, rebuild the whole normalized email."""
    try:
        email = normalize_email(raw)
    except InvalidEmail:
        return
    assert normalized_parts(email.address, email.canonical) == email
