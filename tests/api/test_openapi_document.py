"""The OpenAPI document parses as the API's docs page reads it: no key twice."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from revloop.users.models import User


def test_no_operation_lists_a_status_twice(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    repeated: list[list[str]] = []

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            repeated.append(keys)
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=unique)
    assert repeated == []
    reassign = document["paths"]["/api/v1/people/{person}/reassign"]["post"]["responses"]
    assert {"201", "409", "400", "403"} <= set(reassign)
