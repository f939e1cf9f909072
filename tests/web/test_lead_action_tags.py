"""The lead-action tags give exactly what the template language gave row by row."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse, set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from revloop.feedback.inbox import Choice
from revloop.feedback.models import Note
from revloop.users.models import User
from tests import factories

_LOOP = Template(
    '{% for c in choices %}<option value="{{ prefix }}{{ c.value }}">{{ c.label }}</option>'
    "{% endfor %}"
)
_TAG = Template("{% load lead_actions %}{% choice_options choices prefix %}")
_URL = Template("{% load lead_actions %}{% lead_action_url pk action %}")

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.lists(st.builds(Choice, _text, _text), max_size=6), st.sampled_from(["", "reject:"]))
def test_options_are_the_loops_markup_escaped_alike(choices: list[Choice], prefix: str) -> None:
    context = {"choices": choices, "prefix": prefix}
    assert _TAG.render(Context(context)) == _LOOP.render(Context(context))


def test_a_label_with_markup_is_escaped() -> None:
    rendered = _TAG.render(Context({"choices": [Choice("a", "<b>x</b> & y")], "prefix": ""}))
    assert rendered == '<option value="a">&lt;b&gt;x&lt;/b&gt; &amp; y</option>'


def test_action_urls_are_the_reversed_ones() -> None:
    for pk in (1, 42, 2_147_483_647, 10**12):
        for action in ("accept", "reject", "note"):
            rendered = _URL.render(Context({"pk": pk, "action": action}))
            assert rendered == reverse("inbox-action", args=[pk, action])


def test_action_urls_follow_the_script_prefix() -> None:
    set_script_prefix("/revloop/")
    try:
        rendered = _URL.render(Context({"pk": 7, "action": "accept"}))
        assert rendered == "/revloop/inbox/7/accept/" == reverse("inbox-action", args=[7, "accept"])
    finally:
        set_script_prefix("/")


@pytest.mark.django_db
def test_every_form_of_the_page_carries_one_token_that_the_server_takes(rep: User) -> None:
    """The row forms share one CSRF input per page; a post with it passes the check and
    a post with it altered does not."""
    person = factories.person(email="ada@acme.example", owner=rep, stage="mql")
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    page = client.get("/inbox/").content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 1
    token = tokens.pop()
    url = reverse("inbox-action", args=[person.pk, "note"])
    altered = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert client.post(url, {"text": "hi", "csrfmiddlewaretoken": altered}).status_code == 403
    assert client.post(url, {"text": "hi", "csrfmiddlewaretoken": token}).status_code == 302
    assert Note.objects.filter(person=person).count() == 1
