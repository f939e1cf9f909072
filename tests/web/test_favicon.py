"""Browsers asking for /favicon.ico get the static icon, so the server's log stays quiet."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_points_at_the_static_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/revloop/favicon.svg")
