"""The conversion period on every edge: the Marketing page and its link from Home, the
API and the commands give the revenue closed in a period, checked against the deals."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum
from django.test import Client

from revloop.analytics.periods import conversion_period
from revloop.engine.period import Period
from revloop.pipeline.models import Opportunity
from revloop.users.models import User
from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
Q3 = {"from": "2026-07-01", "to": "2026-09-30"}


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=150, seed=5, now=NOW)


def closed_in(period: Period) -> float:
    """Won revenue closed in the period, summed by the database: by the close moment,
    or by the close date's day where there is no moment."""
    moment = Q(closed_at__gte=period.start, closed_at__lt=period.end)
    by_day = Q(
        closed_at__isnull=True,
        close_date__gte=period.first_day,
        close_date__lte=period.last_day,
    )
    won = Opportunity.objects.filter(Q(stage="won") & (moment | by_day))
    return float(won.aggregate(total=Sum("amount"))["total"] or Decimal(0))


@pytest.mark.usefixtures("company")
def test_the_api_gives_the_revenue_closed_in_a_period(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(marketer)
    q3 = conversion_period(None, "2026-07-01", "2026-09-30")
    assert q3 is not None
    expected = closed_in(q3)
    assert expected > 0
    content = client.get("/api/v1/analytics/content", Q3).json()
    assert content["revenue_closed"] == pytest.approx(expected)
    assert content["period"]["label"] == "1 Jul 2026 to 30 Sep 2026"
    assert 0 < content["revenue_with_content"] <= expected
    credited = sum(a["attributed_revenue"] for a in content["assets"])
    assert credited == pytest.approx(content["revenue_with_content"])

    # A named period is the same as its days.
    last = conversion_period("last-quarter")
    assert last is not None
    linear = {"outcome": "revenue", "model": "linear"}
    named = client.get("/api/v1/analytics/attribution", {**linear, "period": "last-quarter"})
    days = {**linear, "from": str(last.first_day), "to": str(last.last_day)}
    same = client.get("/api/v1/analytics/attribution", days).json()
    assert named.json()["total_value"] == same["total_value"] == pytest.approx(closed_in(last))
    assert named.json()["period"]["key"] == "last-quarter"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"period": "next-decade"}, "period"),
        ({"from": "1899-12-31"}, "from"),
        ({"to": "2201-01-01"}, "to"),
        ({"from": "2026-09-30", "to": "2026-07-01"}, "from"),
        ({"period": "last-year", "from": "2026-01-01"}, "period"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(
    marketer: User, token_client: Callable[..., Client], query: dict[str, str], named: str
) -> None:
    for url in ("/api/v1/analytics/content", "/api/v1/analytics/attribution"):
        response = token_client(marketer).get(url, query)
        assert response.status_code == 400, response.content
        assert response.json()["message"].startswith(f"{named}: ")
    client = Client()
    client.force_login(marketer)
    assert client.get("/marketing/", query).status_code == 400


def test_home_links_to_last_quarters_content_revenue(marketer: User) -> None:
    client = Client()
    client.force_login(marketer)
    home = client.get("/").content.decode()
    link = re.search(r'<a href="([^"]+)">Content behind last quarter&#x27;s revenue</a>', home)
    assert link is not None
    assert link.group(1) == (
        "/marketing/?period=last-quarter&amp;outcome=revenue&amp;level=content#period"
    )


@pytest.mark.usefixtures("company")
def test_the_marketing_page_heads_with_the_periods_revenue_by_content(marketer: User) -> None:
    client = Client()
    client.force_login(marketer)
    html = client.get("/marketing/", {**Q3, "level": "content"}).content.decode()
    q3 = conversion_period(None, "2026-07-01", "2026-09-30")
    assert q3 is not None
    headline = re.search(
        r'data-figure="period-revenue">Revenue closed from 1 Jul 2026 to 30 Sep 2026: '
        r"\D*([\d,]+), by content</h2>",
        html,
    )
    assert headline is not None
    assert float(headline.group(1).replace(",", "")) == pytest.approx(closed_in(q3), abs=1)
    rows = re.findall(r'<tr data-asset="([^"]+)"><td>[^<]+</td><td class="num">', html)
    assert rows, "the assets behind the period's revenue are named"
    # The other pickers keep the period, so a changed model stays in the same days.
    assert '<input type="hidden" name="from" value="2026-07-01" data-kept>' in html
    assert "revenue by content · conversions from 1 Jul 2026 to 30 Sep 2026" in html
    assert (
        '<input type="date" name="to" min="1900-01-01" max="2200-12-31" value="2026-09-30">' in html
    )


@pytest.mark.usefixtures("company")
def test_the_commands_take_a_period() -> None:
    def run(*args: str) -> str:
        out = StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()

    q3 = conversion_period(None, "2026-07-01", "2026-09-30")
    assert q3 is not None
    found = json.loads(run("content", "--from", "2026-07-01", "--to", "2026-09-30", "--json"))
    assert found["revenue_closed"] == pytest.approx(closed_in(q3))
    text = run("content", "--period", "this-year")
    assert re.search(r"Revenue closed in \d{4}: [\d,]+ \(\d+ won deals\)", text)
    credit = json.loads(run("attribution", "--from", "2026-07-01", "--to", "2026-09-30", "--json"))
    assert credit["total_value"] == pytest.approx(closed_in(q3))
    assert credit["period"]["first_day"] == "2026-07-01"
    table = run("attribution", "--model", "linear", "--period", "last-quarter")
    assert "revenue by channel, conversions in Q" in table
    with pytest.raises(Exception, match="from: 1800-01-01 is outside the years 1900-2200"):
        run("content", "--from", "1800-01-01")


def test_a_period_is_read_in_the_company_zone(settings: object) -> None:
    settings.TIME_ZONE = "Pacific/Kiritimati"  # type: ignore[attr-defined]
    period = conversion_period("this-year", now=datetime(2026, 12, 31, 11, tzinfo=UTC))
    assert period is not None
    assert period.label == "2027"  # 1 January, 01:00 on Kiritimati
    assert period.first_day == date(2027, 1, 1)
