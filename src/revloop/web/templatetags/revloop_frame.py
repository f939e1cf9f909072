"""The frame every page shares: the main navigation, the table component and the query
string that carries a page's state.

``{% datatable "content" "Content effectiveness" %}<table …>…</table>{% enddatatable %}``
wraps a table so it scrolls inside its panel (never the page) with its first column
held in view, and gives it a "Download CSV" link for the same rows
(:mod:`revloop.web.table_csv` answers it). Columns marked ``p2``/``p3`` step aside on
narrower screens (app.css), numbers (``num``) are right-aligned.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest, QueryDict
from django.template.base import NodeList, Parser, Token
from django.template.context import Context
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from revloop.web.nav import nav_links
from revloop.web.table_csv import CSV_PARAM

register = template.Library()


@register.inclusion_tag("web/_nav.html", takes_context=True)
def main_nav(context: Context) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"links": []}
    match = request.resolver_match
    return {"links": nav_links(user, match.view_name if match else None)}


def _query(request: HttpRequest | None) -> QueryDict:
    return request.GET.copy() if request is not None else QueryDict(mutable=True)


@register.simple_tag(takes_context=True)
def csv_url(context: Context, table: str) -> str:
    """This page's own URL, every picker kept, asking for ``table`` as CSV."""
    query = _query(context.get("request"))
    query[CSV_PARAM] = table
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def keep_query(context: Context, *names: str) -> SafeString:
    """Hidden inputs for every parameter of this page's query string except ``names``
    (a picker's own fields), so a form that changes one thing keeps the rest."""
    query = _query(context.get("request"))
    kept = [
        (key, value)
        for key, values in query.lists()
        if key not in names and key != CSV_PARAM
        for value in values
    ]
    return format_html_join("", '<input type="hidden" name="{}" value="{}" data-kept>', kept)


class DataTableNode(template.Node):
    def __init__(self, nodelist: NodeList, table: Any, label: Any) -> None:
        self.nodelist = nodelist
        self.table = table
        self.label = label

    def render(self, context: Context) -> str:
        table = str(self.table.resolve(context))
        label = str(self.label.resolve(context)) if self.label is not None else table
        return format_html(
            '<div class="table-frame" data-frame="{table}">'
            '<div class="table-scroll" tabindex="0" role="region" aria-label="{label}">'
            "{body}</div>"
            '<p class="table-tools"><a href="{url}" download>Download CSV'
            '<span class="visually-hidden"> of {label}</span></a></p></div>',
            table=table,
            label=label,
            body=SafeString(self.nodelist.render(context)),
            url=csv_url(context, table),
        )


@register.tag("datatable")
def datatable(parser: Parser, token: Token) -> DataTableNode:
    """``{% datatable "id" ["label"] %}…{% enddatatable %}``; ``id`` is the table's
    ``data-table``."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("datatable takes the table's id and a label")
    nodelist = parser.parse(("enddatatable",))
    parser.delete_first_token()
    label = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    return DataTableNode(nodelist, parser.compile_filter(bits[1]), label)
