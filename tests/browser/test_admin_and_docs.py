"""The admin and the API docs under the strict content security policy: nothing they
load is refused, and nothing comes from another host (no CDN at run time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from revloop.activity.models import Campaign
from revloop.engine.vocabulary import Role
from revloop.users.models import User
from tests.browser.support import LAPTOP, live_db

pytestmark = live_db


def _watch(page: Any) -> tuple[list[str], list[str]]:
    """CSP refusals reported on the console, and every URL the page requested."""
    refused: list[str] = []
    foreign: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    def request(req: Any) -> None:
        if req.url.startswith(("http://", "https://")):
            foreign.append(req.url)

    page.on("request", request)
    return refused, foreign


def test_the_admin_and_the_api_docs_load_under_the_policy_from_this_host_only(
    new_page: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    admin = make_user("ada", Role.ADMIN, is_staff=True, is_superuser=True)
    campaign = Campaign.objects.create(name="Spring launch", channel="email")
    page = new_page(admin, LAPTOP)
    refused, foreign = _watch(page)
    host = urlsplit(page.url).netloc
    seen: dict[str, int] = {}
    for path in (
        "/admin/",
        "/admin/activity/campaign/",
        f"/admin/activity/campaign/{campaign.pk}/change/",
        "/api/v1/docs",
    ):
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        seen[path] = response.status if response else 0
    assert set(seen.values()) == {200}, seen
    # Swagger UI drew the operations, from the bundle served here.
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10
    assert page.get_by_text("/api/v1/analytics/content").first.is_visible()
    assert not refused, refused
    assert [url for url in foreign if urlsplit(url).netloc != host] == []
