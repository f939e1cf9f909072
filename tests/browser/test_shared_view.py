"""htmx works under the strict content security policy, and the Marketing page's view
lives in its URL: a model picked in the attribution section is in the address bar, in
the other pickers and in each table's download link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from revloop.users.models import User
from tests.browser.support import LAPTOP, live_db

pytestmark = live_db


def test_a_picked_model_is_in_the_url_and_survives_the_other_pickers(
    new_page: Callable[..., Any], marketer: User
) -> None:
    page = new_page(marketer, LAPTOP)
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/marketing/?by=source")
    page.select_option("#attribution select[name=model]", "linear")
    page.wait_for_url("**model=linear**")
    assert "by=source" in page.url
    # htmx swapped the section in place: the page was not reloaded, its pickers agree.
    assert page.locator("#attribution select[name=model]").input_value() == "linear"
    link = page.locator('#attribution a[href*="csv=attribution"]').get_attribute("href")
    assert link is not None
    assert "model=linear" in link
    assert "by=source" in link
    # Another picker reloads the page and keeps the model.
    page.select_option("#rejections select[name=rejections_by]", "content")
    page.wait_for_url("**rejections_by=content**")
    assert "model=linear" in page.url
    assert page.locator("#attribution select[name=model]").input_value() == "linear"
    assert refused == []
