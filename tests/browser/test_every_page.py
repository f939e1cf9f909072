"""Every page, as every role that may see it, on a laptop and a phone: it fits the screen
(no sideways scroll), axe-core finds nothing serious or critical, and the browser reports
no content-security-policy violation.

The pages walked are the navigation each role is offered (so a page added to
``revloop.web.nav.NAV`` is checked without touching this file), plus a lead's person page
and brief, and the log-in page. Django's admin and the API's Swagger UI are other
projects' pages and are not walked. With ``REVLOOP_SCREENSHOTS=docs/screenshots`` the
walk also writes a screenshot of every page at both widths.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from revloop.people.models import Person
from revloop.users.models import User
from revloop.web.nav import nav_links
from tests.analytics.seeded import seed_company
from tests.browser.support import LAPTOP, PHONE, live_db, overflow_px, widest_elements

pytestmark = live_db

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
#: The demo company's people, one per role (revloop.engine.demo.users).
ROLES = {
    "admin": "ada",
    "marketing": "maya",
    "sales_manager": "nina",
    "sales_rep": "rachel",
    "viewer": "victor",
}
#: Pages reached from another page rather than the navigation (route, arguments).
BEYOND_NAV = {
    "plan": ("plan", ()),
    "contract-version": ("contract-version", (1,)),
    "contract-diff": ("contract-diff", ()),
    "contract-backtest": ("contract-backtest", (1,)),
    "contract-propose": ("contract-propose", ()),
}
WIDTHS = {"laptop": LAPTOP, "phone": PHONE}
SERIOUS = ("serious", "critical")


def _axe(page: Any) -> list[str]:
    """The serious and critical axe-core violations on the page, one line each."""
    # Evaluated through the DevTools protocol: an injected <script> would be refused by
    # the page's own content security policy, as it should be.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {json.dumps(v['nodes'])}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def _pages(user: User, lead: Person) -> dict[str, str]:
    pages = {
        link.url.strip("/").replace("/", "-") or "home": link.url
        for link in nav_links(user, None)
        if not link.url.startswith(("/admin/", "/api/"))
    }
    pages["person"] = f"/people/{lead.pk}/"
    pages["brief"] = f"/people/{lead.pk}/brief/"
    for name, (route, args) in BEYOND_NAV.items():
        try:
            pages[name] = reverse(route, args=args)
        except NoReverseMatch:
            continue  # not in this build
    return pages


def _shoot(page: Any, name: str, width: str) -> None:
    folder = os.environ.get("REVLOOP_SCREENSHOTS")
    if not folder:
        return
    path = Path(folder) / f"{name}-{width}.png"
    if path.exists():
        return  # one role per page is enough
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    _shrink(path)


def _shrink(path: Path) -> None:
    """A screenshot at 128 colours, cut to a readable height: the README's, not an archive."""
    from PIL import Image

    with Image.open(path) as image:
        cut = image.crop((0, 0, image.width, min(image.height, image.width * 3)))
        cut.convert("RGB").quantize(colors=128).save(path, optimize=True)


@pytest.fixture
def company(db: None) -> dict[str, User]:
    seed_company(leads=240, seed=5, now=timezone.now() - timedelta(hours=1))
    users = {role: User.objects.get(username=name) for role, name in ROLES.items()}
    for user in users.values():
        # The browser fixture logs in with "pw-" + username.
        user.set_password("pw-" + user.username)
        user.save(update_fields=["password"])
    return users


def test_every_page_fits_both_screens_and_passes_axe_for_every_role(
    new_page: Callable[..., Any], company: dict[str, User]
) -> None:
    problems: list[str] = []
    walked = 0
    for role, user in company.items():
        lead = Person.objects.filter(owner=company["sales_rep"]).order_by("pk").first()
        assert lead is not None, "the demo gives the rep leads of her own"
        for width, viewport in WIDTHS.items():
            page = new_page(user, viewport)
            refused: list[str] = []
            page.on(
                "console",
                lambda msg, bag=refused: (
                    bag.append(msg.text) if "Content Security Policy" in msg.text else None
                ),
            )
            for name, url in _pages(user, lead).items():
                response = page.goto(url)
                page.wait_for_load_state("load")
                status = response.status if response else 0
                where = f"{role} {width} {url}"
                if status == 403 and (name in ("person", "brief") or name in BEYOND_NAV):
                    continue  # not every role may open a rep's lead or propose a change
                if status != 200:
                    problems.append(f"{where}: status {status}")
                    continue
                walked += 1
                wide = overflow_px(page)
                if wide:
                    problems.append(
                        f"{where}: {wide} px wider than the screen"
                        f" ({', '.join(widest_elements(page))})"
                    )
                problems.extend(f"{where}: {v}" for v in _axe(page))
                _shoot(page, name, width)
            problems.extend(f"{role} {width}: CSP refused: {text}" for text in refused)
            page.context.close()
    assert walked >= 80
    assert not problems, "\n".join(problems)


def test_the_log_in_page_fits_and_passes_axe(new_page: Callable[..., Any]) -> None:
    for width, viewport in WIDTHS.items():
        page = new_page(None, viewport)
        page.goto("/login/")
        assert overflow_px(page) == 0
        assert _axe(page) == [], width
        _shoot(page, "login", width)


def test_the_keyboard_reaches_the_content_and_the_folded_menu(
    new_page: Callable[..., Any], rep: User
) -> None:
    page = new_page(rep, PHONE)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    assert menu.is_visible()
    assert not nav.is_visible()
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Inbox").is_visible()
    assert overflow_px(page) == 0
