"""A strict content security policy: this site's own scripts and styles only, no inline
script, style or event handler in any template, and no framing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from revloop.users.models import User

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("src/revloop/**/templates/**/*.html"))
PAGES = ["/", "/inbox/", "/marketing/", "/goals/", "/plan/", "/pipeline/", "/insights/"]


def _policy(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_strict_policy(client: Client, manager: User, path: str) -> None:
    client.force_login(manager)
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_the_login_page_and_a_refusal_carry_it_too(client: Client, viewer: User) -> None:
    assert "frame-ancestors 'none'" in client.get("/login/")["Content-Security-Policy"]
    client.force_login(viewer)
    refused = client.get("/imports/")
    assert refused.status_code == 403
    assert "script-src 'self'" in refused["Content-Security-Policy"]


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_template_holds_inline_script_or_style(template: Path) -> None:
    html = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html, re.I):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: {tag}"
    assert not re.search(r"<style\b", html, re.I), "inline <style> element"
    assert not re.search(r"\sstyle\s*=", html, re.I), "inline style attribute"
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler"
    assert "javascript:" not in html.lower()
    assert "hx-on" not in html, "htmx's inline handlers need eval"
