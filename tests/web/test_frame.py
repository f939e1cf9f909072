"""The frame every page shares: one role-aware navigation, tables with their CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from revloop.engine.vocabulary import Role
from revloop.users.models import User
from revloop.web.nav import NAV, NavItem, nav_links
from revloop.web.table_csv import csv_response, table_rows

pytestmark = pytest.mark.django_db


def _labels(user: User, items: tuple[NavItem, ...] = NAV) -> list[str]:
    return [link.label for link in nav_links(user, None, items)]


def test_a_rep_is_led_to_the_inbox_and_not_to_imports(rep: User) -> None:
    labels = _labels(rep)
    assert "Inbox" in labels
    assert "Import" not in labels
    assert {"Home", "Marketing", "Pipeline", "Goals"} <= set(labels)


def test_a_marketer_is_led_to_imports_and_not_to_the_inbox(marketer: User) -> None:
    labels = _labels(marketer)
    assert "Import" in labels
    assert "Inbox" not in labels


def test_a_viewer_sees_the_reports_only(viewer: User) -> None:
    labels = _labels(viewer)
    assert "Inbox" not in labels
    assert "Import" not in labels
    assert "Admin" not in labels
    assert "Marketing" in labels


def test_a_user_without_a_role_is_led_nowhere(outsider: User) -> None:
    assert _labels(outsider) == []


def test_admin_link_is_for_staff(make_user: Callable[..., User]) -> None:
    staff = make_user("sal", Role.ADMIN, is_staff=True)
    assert "Admin" in _labels(staff)


def test_a_line_for_a_route_this_build_lacks_is_left_out(rep: User) -> None:
    items = (
        NavItem("Home", "home", "analytics.read"),
        NavItem("Nowhere", "no-such-route", "analytics.read"),
    )
    assert _labels(rep, items) == ["Home"]


def test_each_link_shows_to_exactly_those_its_page_lets_in(
    client: Client, make_user: Callable[..., User]
) -> None:
    users = [make_user(role.value, role) for role in Role] + [make_user("nobody")]
    for user in users:
        client.force_login(user)
        shown = {link.url for link in nav_links(user, None)}
        for item in NAV:
            if item.permission is None:
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue  # a line for a page this build lacks
            status = client.get(url).status_code
            assert (url in shown) == (status == 200), (user.username, url, status)


def test_the_current_page_is_marked_on_its_own_and_its_related_routes(rep: User) -> None:
    links = {link.label: link.current for link in nav_links(rep, "plan")}
    assert links["Goals"] is True
    assert links["Home"] is False


def test_the_page_marks_the_current_link_and_offers_a_skip_link(client: Client, rep: User) -> None:
    client.force_login(rep)
    html = client.get("/inbox/").content.decode()
    assert re.search(r'<a href="/inbox/" aria-current="page">Inbox</a>', html)
    assert 'href="#main">Skip to content' in html
    assert 'aria-controls="main-nav"' in html


# Tables and their CSV ------------------------------------------------------------------

PAGE = """<table data-table="t"><thead><tr><th>Name</th><th class="num">Rate</th>
<th data-csv-skip>Act</th></tr></thead><tbody>
<tr><td>=HYPERLINK("x")<br>Acme</td>
<td class="num"><abbr class="rate" title="3 of 4">75.0%</abbr></td>
<td data-csv-skip><form><button>Accept</button></form></td></tr>
<tr><td data-csv="7">seven</td><td><select><option>no</option></select>ok</td>
<td data-csv-skip>x</td></tr>
</tbody></table><table data-table="other"><tr><td>no</td></tr></table>"""


def test_the_csv_holds_the_rows_shown_with_each_rates_base() -> None:
    assert table_rows(PAGE, "t") == [
        ["Name", "Rate"],
        ['=HYPERLINK("x") Acme', "75.0% (3 of 4)"],
        ["7", "ok"],
    ]
    assert table_rows(PAGE, "missing") is None


def test_the_csv_neutralises_formulas() -> None:
    rows = table_rows(PAGE, "t")
    assert rows is not None
    body = csv_response(rows, "t").content.decode()
    assert list(csv.reader(io.StringIO(body)))[1][0] == '\'=HYPERLINK("x") Acme'


def test_every_table_on_a_page_downloads_as_csv(client: Client, rep: User) -> None:
    client.force_login(rep)
    html = client.get("/").content.decode()
    tables = re.findall(r'<table[^>]*data-table="([^"]+)"', html)
    assert tables
    for table in tables:
        assert f'href="?csv={table}" download' in html
        response = client.get("/", {"csv": table})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert f'filename="{table}.csv"' in response["Content-Disposition"]
        assert list(csv.reader(io.StringIO(response.content.decode())))


def test_a_csv_of_a_table_the_page_lacks_is_a_404(client: Client, rep: User) -> None:
    client.force_login(rep)
    assert client.get("/", {"csv": "nothing"}).status_code == 404


def test_the_csv_needs_the_pages_own_permission(client: Client, marketer: User) -> None:
    client.force_login(marketer)
    assert client.get("/inbox/", {"csv": "inbox"}).status_code == 403


# State in the URL ---------------------------------------------------------------------


def test_each_marketing_picker_keeps_the_others_choices(client: Client, marketer: User) -> None:
    client.force_login(marketer)
    html = client.get("/marketing/", {"model": "linear", "by": "source"}).content.decode()
    rejections = html[html.index('id="rejections"') :]
    assert '<input type="hidden" name="model" value="linear" data-kept>' in rejections
    assert '<input type="hidden" name="by" value="source" data-kept>' in rejections
    attribution = html[html.index('id="attribution"') : html.index('id="misinformed"')]
    assert '<input type="hidden" name="by" value="source" data-kept>' in attribution
    assert 'name="model" value="linear"' not in attribution  # its own picker says it
    assert 'hx-push-url="true"' in attribution
    # A download keeps the view: the same choices, one table.
    assert 'href="?model=linear&amp;by=source&amp;csv=content"' in html
