"""The browser can reach revloop: a rep logs in and lands on the home page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from revloop.users.models import User
from tests.browser.support import LAPTOP, PHONE, live_db, overflow_px

pytestmark = live_db


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_rep_logs_in_and_sees_the_home_page(
    new_page: Callable[..., object], rep: User, viewport: dict[str, int]
) -> None:
    page = new_page(rep, viewport)
    assert "/login" not in page.url  # type: ignore[attr-defined]
    assert page.locator("h1").first.is_visible()  # type: ignore[attr-defined]
    assert overflow_px(page) >= 0, "the page cannot measure its own width"
