"""The website tracker on a customer's own site, served from another origin than revloop.

The static site in tests/browser/site/ carries the snippet from Settings → Tracking; a real
Chromium visits it, and revloop (the live server) must end up with the visitor's history.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from revloop.activity.models import Touch
from revloop.capture.actions import do_rotate_site_key
from revloop.capture.models import SiteKey
from revloop.people.models import Person
from tests.browser.support import live_db

pytestmark = live_db

SITE_FILES = Path(__file__).with_name("site")


class CustomerSite:
    """A static site on its own port whose pages carry the snippet for one revloop and key."""

    def __init__(self, revloop_url: str) -> None:
        self.revloop_url = revloop_url
        self.key = ""
        self.options = ""
        site = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def send_head(self) -> Any:
                path = Path(self.translate_path(self.path))
                if path.suffix != ".html" or not path.is_file():
                    return super().send_head()
                body = (
                    path.read_text()
                    .replace("__REVLOOP__", site.revloop_url)
                    .replace("__KEY__", site.key)
                    .replace("__OPTIONS__", site.options)
                    .encode()
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return io.BytesIO(body)

        self.server = ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(Handler, directory=str(SITE_FILES))
        )
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def customer_site(plain_live_server: Any) -> Iterator[CustomerSite]:
    site = CustomerSite(plain_live_server.url)
    yield site
    site.stop()


@pytest.fixture
def site(customer_site: CustomerSite) -> Iterator[CustomerSite]:
    key = do_rotate_site_key(None, origins=[customer_site.origin])
    customer_site.key, customer_site.options = key.key, ""
    return customer_site


@pytest.fixture
def visitor(browser: Any, site: CustomerSite) -> Iterator[Any]:
    """A fresh browser profile on the customer's site, recording what it sends to revloop."""
    context = browser.new_context(base_url=site.origin)
    page = context.new_page()
    page.sent = []
    page.console = []
    page.on("request", lambda r: "/v1/" in r.url and page.sent.append(r))
    page.on("console", lambda m: page.console.append(m.text))
    yield page
    context.close()


def _until(check: Callable[[], Any], seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


UTM = "utm_campaign=spring-launch&utm_source=linkedin&utm_medium=social"


def test_a_visit_then_a_form_fill_becomes_a_person_with_their_history(
    visitor: Any, site: CustomerSite
) -> None:
    page = visitor
    page.goto(f"/index.html?{UTM}")
    page.click("text=Pricing")
    page.wait_for_url("**/pricing.html")
    with page.context.expect_page() as opened:
        page.click("text=Download the buyer's guide")
    opened.value.close()
    page.click("text=Watch the replay")
    page.click("text=Talk to us")
    page.wait_for_url("**/contact.html")
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=work_email]", "ada@initech.example")
    page.click("text=Send")
    page.wait_for_url("**/thanks.html*")

    def history() -> list[Touch]:
        person = Person.objects.filter(email="ada@initech.example").first()
        touches = list(Touch.objects.filter(person=person).order_by("occurred_at", "id"))
        return touches if person and len(touches) >= 7 else []

    touches = _until(history)
    assert [(t.type, t.properties.get("event", "")) for t in touches] == [
        ("page_view", ""),
        ("page_view", ""),
        ("content_download", "Content Downloaded"),
        ("content_download", "Content Downloaded"),
        ("page_view", ""),
        ("form_submit", "Form Submitted"),
        ("page_view", ""),
    ]
    first, pricing = touches[0], touches[1]
    assert (first.utm_campaign, first.utm_source, first.utm_medium) == (
        "spring-launch",
        "linkedin",
        "social",
    )
    assert first.url == f"{site.origin}/index.html?{UTM}"
    assert pricing.properties["referrer"] == first.url
    assert pricing.utm_campaign == ""
    assert touches[2].properties["asset"] == "guide.pdf"
    assert touches[3].properties["asset"] == "Spring webinar replay"
    assert touches[5].properties["form"] == "Contact us"
    # One first-party anonymous id across the pages, all of it stitched to the person.
    assert len({t.anonymous_id for t in touches}) == 1
    assert not Touch.objects.filter(person__isnull=True).exists()
    stored_id = page.evaluate("() => localStorage.getItem('rl_aid')")
    assert touches[0].anonymous_id == stored_id
    assert page.context.cookies() == []
    # Nothing but the e-mail was read from the form.
    assert "Ada Lovelace" not in str([t.properties for t in touches])
    assert Person.objects.get().first_name == ""


def test_a_form_without_the_attribute_is_not_read(visitor: Any) -> None:
    page = visitor
    page.goto("/contact.html")
    _until(Touch.objects.exists)
    page.fill("#newsletter input[name=email]", "bob@initech.example")
    page.click("text=Subscribe")
    page.wait_for_url("**/thanks.html*")
    assert _until(lambda: Touch.objects.count() >= 2)
    assert not Person.objects.exists()
    assert set(Touch.objects.values_list("type", flat=True)) == {"page_view"}


def test_nothing_is_sent_before_consent_when_the_site_requires_it(
    visitor: Any, site: CustomerSite
) -> None:
    site.options = ", requireConsent: true"
    page = visitor
    page.goto(f"/index.html?{UTM}")
    page.wait_for_function("() => window.revloop && window.revloop.loaded")
    page.wait_for_timeout(2500)
    assert page.sent == []
    assert page.evaluate("() => localStorage.length") == 0
    assert not Touch.objects.exists()

    page.evaluate("() => revloop('consent', true)")
    touch = _until(Touch.objects.first)
    assert touch is not None
    assert touch.utm_campaign == "spring-launch"
    # The answer is remembered on the next page.
    page.click("text=Pricing")
    assert _until(lambda: Touch.objects.count() == 2)


def test_a_visitor_who_declines_is_not_tracked(visitor: Any, site: CustomerSite) -> None:
    site.options = ", requireConsent: true"
    page = visitor
    page.goto("/index.html")
    page.wait_for_function("() => window.revloop && window.revloop.loaded")
    page.evaluate("() => revloop('consent', false)")
    page.click("text=Pricing")
    page.wait_for_url("**/pricing.html")
    page.wait_for_timeout(2000)
    assert page.sent == []
    assert not Touch.objects.exists()


def test_do_not_track_is_honoured(visitor: Any) -> None:
    page = visitor
    page.context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})"
    )
    page.goto(f"/index.html?{UTM}")
    page.wait_for_function("() => window.revloop && window.revloop.loaded")
    page.wait_for_timeout(2000)
    assert page.sent == []
    assert not Touch.objects.exists()
    assert any("Do Not Track" in line for line in page.console)


@pytest.mark.parametrize(
    ("key", "complaint"),
    [("", "no write key"), ("rl_0123abcd_secret", "not a website key"), ("bad-host", "bad host")],
)
def test_a_misconfigured_snippet_says_so_in_the_console(
    visitor: Any, site: CustomerSite, key: str, complaint: str
) -> None:
    if key == "bad-host":
        # The later of two keys in an object literal wins.
        site.options = ', host: "revloop.example.com"'
    else:
        site.key = key
    page = visitor
    page.goto("/index.html")
    page.wait_for_function("() => window.revloop && window.revloop.loaded")
    page.wait_for_timeout(1500)
    assert page.sent == []
    assert any(line.startswith("[revloop]") and complaint in line for line in page.console)


def test_a_site_that_is_not_listed_is_refused(visitor: Any, site: CustomerSite) -> None:
    SiteKey.objects.update(origins=["https://www.acme.example"])
    page = visitor
    page.goto("/index.html")
    page.wait_for_timeout(2000)
    assert page.sent, "the tracker sent nothing to be refused"
    assert not Touch.objects.exists()


def test_without_send_beacon_the_tracker_falls_back_to_fetch(visitor: Any) -> None:
    page = visitor
    page.context.add_init_script("delete Navigator.prototype.sendBeacon")
    page.goto(f"/index.html?{UTM}")
    touch = _until(Touch.objects.first)
    assert touch is not None
    assert touch.utm_campaign == "spring-launch"
    page.wait_for_timeout(200)  # Playwright hands over its events while it waits
    assert [r.resource_type for r in page.sent] == ["fetch"]
