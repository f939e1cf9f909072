"""Real-browser fixtures: Playwright driving the system's Chromium against a live server.

Never a downloaded browser: Playwright is pointed at Debian's `chromium` (`.ci/run` installs
it). Where it is missing the tests skip, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections

from tests.browser.support import LAPTOP

# Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run
# "from an async context" even though every query here is ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_executable() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser(plain_live_server: Any) -> Iterator[object]:
    executable = chromium_executable()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        # With Playwright's loop running in this thread, Django keeps connections per async
        # context, so the test would open a second connection to SQLite's shared in-memory
        # database and lock the server's out. Hand it the server's own connection instead.
        for alias, shared in plain_live_server.thread.connections_override.items():
            connections[alias] = shared
        yield launched
        launched.close()


@pytest.fixture
def new_page(plain_live_server: object, browser: object) -> Iterator[Callable[..., object]]:
    """Open a page at a viewport size, already logged in as `user` when one is given."""
    contexts = []

    def open_page(user: object | None = None, viewport: dict[str, int] = LAPTOP) -> object:
        context = browser.new_context(viewport=viewport, base_url=plain_live_server.url)  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            page.goto("/login/")
            page.fill("input[name=username]", user.username)  # type: ignore[attr-defined]
            page.fill("input[name=password]", "pw-" + user.username)  # type: ignore[attr-defined]
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_load_state("networkidle")
        return page

    yield open_page
    for context in contexts:
        context.close()
