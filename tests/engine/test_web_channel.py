"""A website visit's channel, from its UTM medium and its referrer."""

from __future__ import annotations

import pytest

from revloop.engine.vocabulary import Channel
from revloop.engine.web_channel import visit_channel

PAGE = "https://www.acme.example/pricing"


@pytest.mark.parametrize(
    ("referrer", "medium", "channel"),
    [
        ("", "", Channel.DIRECT),
        ("https://www.google.com/", "", Channel.ORGANIC_SEARCH),
        ("https://duckduckgo.com/?q=acme", "", Channel.ORGANIC_SEARCH),
        ("https://www.g2.com/products/acme", "", Channel.REFERRAL),
        ("https://googleblog.example/", "", Channel.REFERRAL),
        ("https://www.google.com/", "cpc", Channel.PAID_SEARCH),
        ("", "Email", Channel.EMAIL),
        ("https://linkedin.com/", "paid_social", Channel.PAID_SOCIAL),
        ("", "webinar", Channel.WEBINARS),
        ("", "billboard", Channel.OTHER),
        ("https://acme.example/", "", None),
        ("not a url", "", None),
    ],
)
def test_a_visit_is_put_in_its_channel(referrer: str, medium: str, channel: Channel | None) -> None:
    assert visit_channel(url=PAGE, referrer=referrer, utm_medium=medium) == channel
