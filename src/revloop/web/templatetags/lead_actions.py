"""What the lead-action forms repeat on every row, rendered once instead of per row.

An inbox page carries the same six forms on each of its rows: the same `<option>`
lists (reasons, activity kinds, outcomes), the same CSRF input and the same URL with
another lead's id.
Rendered by the template language row by row, they were about a third of the page's
server time; these give the identical markup from a memo.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django import template
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from revloop.feedback.inbox import Choice

register = template.Library()

_ID = 2_147_483_647  # no lead has it; stands in for the id in the reversed URL


@lru_cache(maxsize=64)
def _options(choices: tuple[Choice, ...], prefix: str) -> SafeString:
    return format_html_join(
        "", '<option value="{}{}">{}</option>', ((prefix, c.value, c.label) for c in choices)
    )


@register.simple_tag
def choice_options(choices: Iterable[Choice], prefix: str = "") -> SafeString:
    """``<option>`` per choice, its value ``prefix`` + the choice's value."""
    return _options(tuple(choices), prefix)


@lru_cache(maxsize=64)
def _action_url(script_prefix: str, action: str) -> tuple[str, str]:
    # The script prefix is part of the key: reverse() answers under it.
    head, _, tail = reverse("inbox-action", args=[_ID, action]).partition(str(_ID))
    return head, tail


@register.simple_tag
def lead_action_url(person_id: int, action: str) -> str:
    """The URL of ``action`` on a lead, as ``{% url 'inbox-action' id action %}`` gives it."""
    head, tail = _action_url(get_script_prefix(), action)
    return f"{head}{int(person_id)}{tail}"


@register.simple_tag(takes_context=True)
def csrf_input(context: Context) -> SafeString:
    """What ``{% csrf_token %}`` renders, built once per request (one token per page)."""
    request = context.get("request")
    built: SafeString | None = getattr(request, "_revloop_csrf_input", None)
    if built is None:
        built = SafeString(CsrfTokenNode().render(context))
        if request is not None:
            request._revloop_csrf_input = built
    return built
