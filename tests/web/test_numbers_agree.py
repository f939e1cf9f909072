"""Figures on the pages agree with themselves: a count is never shown as a share of a
target, a rate says what it divides, money is money in one format, a funnel step with
no recorded losses is read from its own base, and an MQL whose rule no longer holds is
told why."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from revloop.users.models import User
from tests import factories
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RATE = re.compile(
    r'<abbr class="rate" title="([^"]*)" data-numerator="([^"]*)" '
    r'data-denominator="([^"]*)">([^<]*)</abbr>'
)


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=400, seed=3, now=NOW)


def _page(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _text(html: str, figure: str) -> str:
    match = re.search(rf'data-figure="{figure}"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"{figure} not on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _every_rate_states_its_parts(html: str) -> int:
    rates = RATE.findall(html)
    for title, numerator, denominator, shown in rates:
        top, bottom = Decimal(numerator), Decimal(denominator)
        assert top <= bottom, f"{title}: a count above its base"
        assert " of " in title
        if bottom:
            assert shown == f"{top / bottom * 100:.{len(shown.split('.')[-1]) - 1}f}%" or (
                shown == f"{top / bottom * 100:.0f}%"
            ), title
        else:
            assert shown == "—"
    return len(rates)


# The funnel ------------------------------------------------------------------------


@pytest.mark.usefixtures("company")
def test_the_first_funnel_step_is_read_from_its_own_base(marketer: User) -> None:
    html = _page(marketer, "/marketing/")
    lead = re.search(r'<g [^>]*data-stage="Lead">(.*?)</g>', html, re.S)
    assert lead
    note = re.sub(r"<title>.*?</title>|<[^>]+>", "", lead.group(1))
    assert "100.0%" not in note
    assert "drop off" not in note
    reached = re.search(r"([\d,]+) reached MQL \((\d+\.\d)%\) · ([\d,]+) not yet", note)
    assert reached, note
    row = re.search(r'data-step="lead-mql">(.*?)</tr>', html, re.S)
    assert row
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]
    _, entered, converted, lost, still_open, conversion, drop_off, naive = cells
    assert lost == "0"
    assert (conversion, drop_off) == ("—", "—")
    assert reached.group(1) == converted
    assert reached.group(3) == still_open
    share = int(converted.replace(",", "")) / int(entered.replace(",", "")) * 100
    assert naive == reached.group(2) + "%" == f"{share:.1f}%"


@pytest.mark.usefixtures("company")
def test_later_funnel_steps_give_conversion_of_known_outcomes_with_its_parts(
    marketer: User,
) -> None:
    html = _page(marketer, "/marketing/")
    mql = re.search(r'<g [^>]*data-stage="MQL">(.*?)</g>', html, re.S)
    assert mql
    conversion = re.search(
        r"(\d+\.\d)% to SAL[^<]*<title>([\d,]+) of ([\d,]+) whose outcome is known</title>",
        mql.group(1),
    )
    assert conversion
    top, bottom = (int(conversion.group(i).replace(",", "")) for i in (2, 3))
    assert top <= bottom
    assert conversion.group(1) == f"{top / bottom * 100:.1f}"


# Rates and money -------------------------------------------------------------------


@pytest.mark.usefixtures("company")
def test_every_rate_on_the_marketing_page_says_what_it_divides(marketer: User) -> None:
    html = _page(marketer, "/marketing/")
    # Funnel, content (asset and everyone else for four outcomes), attribution shares.
    assert _every_rate_states_its_parts(html) > 100
    content = re.search(r'data-table="content">(.*?)</table>', html, re.S)
    assert content
    figures = re.sub(r'<td class="asset">.*?</td>', "", content.group(1), flags=re.S)
    bare = re.sub(r"<abbr.*?</abbr>", "", figures, flags=re.S)
    assert "%" not in re.sub(r"<[^>]+>", " ", bare)


@pytest.mark.usefixtures("company")
def test_money_on_the_marketing_page_is_money_in_one_format(marketer: User) -> None:
    html = _page(marketer, "/marketing/")
    total = _text(html, "attribution-total")
    assert re.search(r"conversions worth \$[\d,]+; \$[\d,]+ had no counted touch", total)
    attribution = re.search(r'data-table="attribution">(.*?)</table>', html, re.S)
    assert attribution
    values = re.findall(r'<td class="num">(\$[^<]*)</td>', attribution.group(1))
    assert values
    assert all(re.fullmatch(r"\$\d{1,3}(,\d{3})*", v) for v in values)
    # The credit chart writes money as money (short, exact on hover), not as a count.
    chart = re.findall(r"<text [^>]*>(\$[\d.,]+[kMB]?)<title>[^:]*: (\$[\d,]+)</title>", html)
    assert len(chart) >= 3
    assert "USD " not in html


@pytest.mark.usefixtures("company")
def test_money_follows_the_company_currency(marketer: User, settings: Settings) -> None:
    settings.REVLOOP_CURRENCY = "EUR"
    html = _page(marketer, "/marketing/")
    assert re.search(r"conversions worth €[\d,]+", _text(html, "attribution-total"))


@pytest.mark.django_db
def test_home_amounts_are_money_exact_on_hover(viewer: User) -> None:
    factories.opportunity(stage="proposal", amount=Decimal("12345.60"))
    factories.opportunity(stage="proposal", amount=Decimal("100.00"), currency="CHF")
    html = _page(viewer, "/")
    assert _text(html, "open_pipeline_USD") == "$12.3k"
    assert 'title="$12,345.60"' in html
    assert _text(html, "open_pipeline_CHF") == "CHF 100"


@pytest.mark.django_db
def test_brief_deal_amounts_are_money(marketer: User) -> None:
    subject = factories.person(stage="opportunity")
    deal = factories.opportunity(amount=Decimal("59700.00"), primary_contact=subject)
    deal.contacts.add(subject, through_defaults={"role": "champion"})
    html = _page(marketer, f"/people/{subject.pk}/brief/")
    assert re.findall(r"data-money>([^<]*)<", html) == ["$59,700"]


# The home page's SLA cards ---------------------------------------------------------


def _mqls_this_week(n: int) -> None:
    now = timezone.now()
    for _ in range(n):
        factories.transition(factories.person(stage="mql"), at=now - timedelta(minutes=1))


@pytest.mark.django_db
def test_mqls_above_their_target_are_a_count_and_a_met_target(viewer: User) -> None:
    _mqls_this_week(37)
    html = _page(viewer, "/")
    assert _text(html, "marketing_mqls") == "37 MQLs"
    assert _text(html, "marketing_mql_target") == "target 35 (met)"
    assert "of 35" not in html


@pytest.mark.django_db
def test_mqls_below_their_target_say_it_is_not_met(viewer: User) -> None:
    _mqls_this_week(1)
    html = _page(viewer, "/")
    assert _text(html, "marketing_mqls") == "1 MQL"
    assert _text(html, "marketing_mql_target") == "target 35 (not met yet)"


@pytest.mark.django_db
def test_the_acceptance_rate_says_what_it_divides(viewer: User, rep: User) -> None:
    now = timezone.now() - timedelta(minutes=1)
    for to_stage in ("sal", "sal", "sal", "recycled"):
        subject = factories.person(stage=to_stage)
        factories.transition(subject, from_stage="mql", to_stage=to_stage, at=now, by_user=rep)
    page = _page(viewer, "/")
    assert _every_rate_states_its_parts(page) >= 1
    # The SLA panel holds one rate: Marketing's acceptance (Sales has no deadline yet).
    html = page[page.index('data-section="sla"') : page.index('data-section="funnel"')]
    assert _every_rate_states_its_parts(html) == 1
    acceptance = RATE.search(html)
    assert acceptance
    assert acceptance.groups() == ("3 accepted of 4", "3", "4", "75%")


# The MQL rule ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_mql_from_imported_history_is_told_why_the_rule_fails_today(
    marketer: User,
) -> None:
    subject = factories.person(stage="mql")
    factories.transition(subject, at=datetime(2026, 9, 1, 15, 0, tzinfo=UTC), by_rule="import")
    html = _page(marketer, f"/people/{subject.pk}/")
    assert _text(html, "mql_eligible") == "does not hold today"
    reason = _text(html, "mql_rule_reason")
    assert reason.startswith("engagement 0 &lt; 40; grade F &lt; B; ")
    assert "they became an MQL on 2026-09-01 in history recorded before this contract" in reason
    brief = _text(_page(marketer, f"/people/{subject.pk}/brief/"), "mql_rule")
    assert brief.startswith("MQL rule does not hold today: engagement 0 &lt; 40")
    assert "2026-09-01" in brief


@pytest.mark.django_db
def test_an_mql_moved_by_hand_says_who_moved_them(marketer: User, make_user: object) -> None:
    subject = factories.person(stage="mql")
    factories.transition(
        subject, at=datetime(2026, 10, 2, 9, 0, tzinfo=UTC), by_rule="", by_user=marketer
    )
    reason = _text(_page(marketer, f"/people/{subject.pk}/"), "mql_rule_reason")
    assert reason.endswith("mia moved them to MQL by hand on 2026-10-02")


@pytest.mark.django_db
def test_a_lead_below_the_rule_is_simply_not_an_mql(marketer: User) -> None:
    subject = factories.person(stage="lead")
    html = _page(marketer, f"/people/{subject.pk}/")
    assert _text(html, "mql_eligible") == "does not hold"
    assert "became an MQL" not in _text(html, "mql_rule_reason")
