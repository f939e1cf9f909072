"""Helpers to describe hand-parsed request bodies in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def json_body(model: type[BaseModel], description: str = "") -> dict[str, Any]:
    """``openapi_extra`` for an endpoint that parses its JSON body itself."""
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": _inline(schema, schema.get("$defs", {}))}},
        }
    }
