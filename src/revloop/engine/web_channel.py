"""The marketing channel of a website visit, read from its UTM medium and its referrer.

The usual web-analytics grouping: a campaign's ``utm_medium`` says it when present; else
a search engine's referrer is organic search, any other site's a referral, and no
referrer at all a direct visit. A referrer on the site itself is a page within a visit
that came some other way, so it says nothing (None).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from revloop.engine.vocabulary import Channel

_MEDIUMS: dict[str, Channel] = {
    **dict.fromkeys(
        ("cpc", "ppc", "paidsearch", "paid_search", "paid-search"), Channel.PAID_SEARCH
    ),
    **dict.fromkeys(
        ("paid_social", "paidsocial", "paid-social", "social_paid", "cpm"), Channel.PAID_SOCIAL
    ),
    **dict.fromkeys(("email", "e-mail", "newsletter"), Channel.EMAIL),
    **dict.fromkeys(("webinar", "webinars"), Channel.WEBINARS),
    **dict.fromkeys(("event", "events", "conference", "tradeshow"), Channel.EVENTS),
    **dict.fromkeys(("syndication", "content_syndication"), Channel.CONTENT_SYNDICATION),
    **dict.fromkeys(("referral", "partner", "affiliate"), Channel.REFERRAL),
    **dict.fromkeys(("organic", "seo"), Channel.ORGANIC_SEARCH),
}
_SEARCH_ENGINES = ("google", "bing", "duckduckgo", "yahoo", "baidu", "yandex", "ecosia", "qwant")


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def visit_channel(*, url: str, referrer: str, utm_medium: str) -> Channel | None:
    """The channel of a page view at ``url`` reached from ``referrer``."""
    medium = utm_medium.strip().lower()
    if medium:
        return _MEDIUMS.get(medium, Channel.OTHER)
    source = _host(referrer)
    if not referrer.strip():
        return Channel.DIRECT
    if not source or source == _host(url):
        return None
    labels = source.split(".")
    if any(engine in labels for engine in _SEARCH_ENGINES):
        return Channel.ORGANIC_SEARCH
    return Channel.REFERRAL
