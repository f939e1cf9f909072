"""Lead-to-account matching: domain first, then company name, with fixed tie-breakers."""

from __future__ import annotations

import pytest

from revloop.engine.identity.accounts import (
    AccountCandidate,
    AccountMatcher,
    MatchReason,
    PersonToMatch,
    match_accounts,
    normalize_company_name,
    normalize_domain,
)

ACME_US = AccountCandidate(1, "Acme Inc.", "https://www.acme.com/", "US", 5000)
ACME_DE = AccountCandidate(2, "ACME GmbH", "acme.de", "DE", 300)
GLOBEX = AccountCandidate(3, "Globex Corporation", "globex.com", "", None)
WEBMAIL_ACCOUNT = AccountCandidate(4, "Some Freelancer", "gmail.com")


@pytest.fixture
def matcher() -> AccountMatcher:
    return AccountMatcher([ACME_US, ACME_DE, GLOBEX, WEBMAIL_ACCOUNT])


def test_it_matches_the_corporate_email_domain(matcher: AccountMatcher) -> None:
    match = matcher.match(PersonToMatch(email="Jo@ACME.de"))
    assert (match.account_id, match.reason, match.matched_on) == (2, MatchReason.DOMAIN, "acme.de")
    assert str(match) == "domain"


def test_it_matches_the_parent_of_a_sub_domain(matcher: AccountMatcher) -> None:
    match = matcher.match(PersonToMatch(email="jo@eu.sales.acme.com"))
    assert (match.account_id, match.reason) == (1, MatchReason.PARENT_DOMAIN)
    assert match.matched_on == "acme.com"


def test_free_mail_never_matches_by_domain(matcher: AccountMatcher) -> None:
    match = matcher.match(PersonToMatch(email="jo@gmail.com"))
    assert match.account_id is None
    assert match.reason is MatchReason.NONE


def test_parent_matching_stops_at_shared_suffixes() -> None:
    matcher = AccountMatcher([AccountCandidate(9, "Bad data", "co.uk")])
    assert matcher.match(PersonToMatch(email="jo@tiny.co.uk")).account_id is None


def test_it_falls_back_to_the_company_name(matcher: AccountMatcher) -> None:
    match = matcher.match(PersonToMatch(email="jo@gmail.com", company="Globex Corp."))
    assert (match.account_id, match.reason, match.score) == (3, MatchReason.NAME_FUZZY, 100.0)
    fuzzy = matcher.match(PersonToMatch(email="jo@gmail.com", company="Globx Corporation"))
    assert fuzzy.account_id == 3
    assert fuzzy.score is not None
    assert 88 <= fuzzy.score < 100
    assert str(fuzzy) == f"name_fuzzy({fuzzy.score:.1f})"


def test_names_below_the_cutoff_do_not_match(matcher: AccountMatcher) -> None:
    assert matcher.match(PersonToMatch(company="Initech")).account_id is None


def test_a_domain_match_wins_over_a_name_match(matcher: AccountMatcher) -> None:
    match = matcher.match(PersonToMatch(email="jo@globex.com", company="Acme"))
    assert (match.account_id, match.reason) == (3, MatchReason.DOMAIN)


def test_tie_breaker_prefers_the_persons_country(matcher: AccountMatcher) -> None:
    # "Acme Inc." and "ACME GmbH" both normalise to "acme": equal scores.
    assert matcher.match(PersonToMatch(company="Acme", country="DE")).account_id == 2
    # A free-mail address still hints a country through its TLD (web.de → DE).
    assert matcher.match(PersonToMatch(email="jo@web.de", company="Acme")).account_id == 2


def test_tie_breaker_then_prefers_more_employees_then_lowest_id() -> None:
    small = AccountCandidate(10, "Initech LLC", employee_count=20)
    large = AccountCandidate(11, "Initech, Inc.", employee_count=900)
    unknown = AccountCandidate(12, "Initech Ltd")
    assert (
        match_accounts([PersonToMatch(company="Initech")], [small, large, unknown])[0].account_id
        == 11
    )
    twins = [AccountCandidate(21, "Hooli"), AccountCandidate(20, "Hooli")]
    assert match_accounts([PersonToMatch(company="hooli")], twins)[0].account_id == 20


def test_the_same_domain_on_two_accounts_is_broken_by_the_same_rules() -> None:
    a = AccountCandidate(5, "Umbrella EU", "umbrella.com", "FR", 10)
    b = AccountCandidate(6, "Umbrella US", "umbrella.com", "US", 10)
    matcher = AccountMatcher([a, b])
    assert matcher.match(PersonToMatch("x@umbrella.com", country="US")).account_id == 6
    assert matcher.match(PersonToMatch("x@umbrella.com")).account_id == 5


def test_results_come_back_in_input_order_and_handle_bad_emails(matcher: AccountMatcher) -> None:
    people = [
        PersonToMatch(email="not an email", company="Globex"),
        PersonToMatch(email="a@acme.com"),
        PersonToMatch(),
        PersonToMatch(company="Globex Corporation"),
    ]
    assert [m.account_id for m in matcher.match_many(people)] == [3, 1, None, 3]


def test_many_distinct_names_are_matched_in_chunks() -> None:
    accounts = [AccountCandidate(i, f"Company {i:05d} Holdings Ltd") for i in range(3000)]
    matcher = AccountMatcher(accounts)
    people = [PersonToMatch(company=f"company {i:05d} holdings") for i in range(0, 3000, 7)]
    people += [PersonToMatch(company=f"Compnay {i:05d} Holdings") for i in range(0, 3000, 11)]
    results = matcher.match_many(people)
    expected = list(range(0, 3000, 7)) + list(range(0, 3000, 11))
    assert [r.account_id for r in results] == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Corporation", "acme"),
        ("Müller & Söhne GmbH & Co. KG", "muller and sohne"),
        ("Salesforce.com, Inc.", "salesforce"),
        ("Grupo Bimbo, S.A.B. de C.V.", "grupo bimbo"),
        ("A.P. Møller - Mærsk A/S", "ap møller mærsk"),
        ("Procter & Gamble Co.", "procter and gamble"),
        ("The Limited", "limited"),
        ("Infosys Private Limited", "infosys"),
        ("Nestlé S.A.", "nestle"),
    ],
)
def test_company_names_lose_legal_suffixes_punctuation_and_case(name: str, key: str) -> None:
    assert normalize_company_name(name) == key


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("https://www.Acme.com:443/about?x=1", "acme.com"),
        ("acme.com.", "acme.com"),
        ("jo@acme.de", "acme.de"),
        ("www.com", "www.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("not a domain", ""),
        ("", ""),
    ],
)
def test_domains_are_normalised_from_websites(value: str, domain: str) -> None:
    assert normalize_domain(value) == domain
