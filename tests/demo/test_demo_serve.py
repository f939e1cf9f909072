"""`revloop demo` serves every page: a rep's inbox, a brief, the Marketing page.

The pages that compute with polars hung in gunicorn's forked workers while the
demo seeded in the serving process (polars' thread pool does not survive a fork);
this runs the real command and reads the pages a person would.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from revloop.demo.seed import DEMO_PASSWORD


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _logged_in(base: str, username: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = {"username": username, "password": DEMO_PASSWORD}
    body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token.group(1)}).encode()
    login = urllib.request.Request(f"{base}/login/", body, {"Referer": f"{base}/login/"})  # noqa: S310 - http on loopback
    opener.open(login, timeout=30)
    return opener


@pytest.mark.slow
def test_the_demo_serves_inbox_brief_and_marketing_pages(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "REVLOOP_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # the demo's own embedded database
    command = [sys.executable, "-m", "revloop.cli", "demo", "--leads", "2000"]
    demo = subprocess.Popen(  # noqa: S603 - our own command
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=5)  # noqa: S310
                break
            except OSError:
                assert demo.poll() is None, "the demo stopped before serving"
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.5)
        rep = _logged_in(base, "rachel")
        inbox = rep.open(f"{base}/inbox/", timeout=30).read().decode()
        assert "data-due" in inbox  # live countdowns
        brief = re.search(r'href="(/people/\d+/brief/)"', inbox)
        assert brief is not None
        assert rep.open(base + brief.group(1), timeout=30).status == 200
        marketing = _logged_in(base, "maya").open(f"{base}/marketing/", timeout=60)
        assert "<svg" in marketing.read().decode()
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=60)
