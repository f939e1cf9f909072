"""The HTTP side of Segment-spec ingestion: /v1/batch and the single-call paths.

Mounted at the site root because that is where the libraries send (``<host>/v1/batch``).
The write key is an ingest-scoped token in HTTP basic auth (the username; the
password is empty). Only ingest tokens are taken: a write key ends up in page source
and app bundles, so it must not be able to read anything.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from revloop.capture.schemas import MAX_BATCH
from revloop.capture.segment import MessageError, call_type, do_ingest_segment, message_id
from revloop.users.auth import access_token
from revloop.users.models import TokenScope
from revloop.users.policy import allows, refusal


class RefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        # The libraries read `code` and `message` from an error answer.
        self.code = {401: "unauthorized", 403: "forbidden", 413: "too_large"}.get(status, "invalid")


def _write_key(request: HttpRequest) -> None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise RefusedError(401, "send the write key as the username of HTTP basic auth")
    try:
        key = base64.b64decode(value, validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        raise RefusedError(401, "the basic auth header is not valid base64") from None
    token = access_token(key)
    if token is None:
        raise RefusedError(401, "unknown or revoked write key")
    if token.scope != TokenScope.INGEST:
        raise RefusedError(
            401,
            "the write key must be an ingest-scoped token (revloop token create --scope ingest)",
        )
    if not allows(token.user, "capture.write"):
        raise RefusedError(403, refusal(token.user, "capture.write").message)


def _body(request: HttpRequest) -> Any:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise RefusedError(413, f"request body exceeds {limit:,} bytes")
    raw = request.body
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        inflater = zlib.decompressobj(wbits=31)
        try:
            raw = inflater.decompress(raw, limit + 1)
        except zlib.error as exc:
            raise RefusedError(400, f"body is not valid gzip: {exc}") from None
        if len(raw) > limit or inflater.unconsumed_tail:
            raise RefusedError(413, f"uncompressed body exceeds {limit:,} bytes")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RefusedError(400, f"body is not valid JSON: {exc}") from None


def _answer(request: HttpRequest, single: str | None) -> JsonResponse:
    received_at = timezone.now()
    try:
        _write_key(request)
        payload = _body(request)
        if not isinstance(payload, dict):
            raise RefusedError(400, "body must be a JSON object")
        if single is None:
            messages = payload.get("batch")
            if not isinstance(messages, list):
                raise RefusedError(400, 'body must be {"batch": [...]}')
            if len(messages) > MAX_BATCH:
                raise RefusedError(
                    413, f"{len(messages):,} messages in one batch; the limit is {MAX_BATCH:,}"
                )
        else:
            messages = [payload]
            try:
                call_type(payload, single)
            except MessageError as exc:
                raise RefusedError(400, exc.reason) from None
    except RefusedError as refused:
        response = JsonResponse(
            {"success": False, "code": refused.code, "message": refused.message},
            status=refused.status,
        )
        if refused.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="revloop"'
        return response
    result = do_ingest_segment(
        messages, received_at=received_at, sent_at=payload.get("sentAt"), default_type=single
    )
    ids = [message_id(m) if isinstance(m, dict) else None for m in messages]
    return JsonResponse(result.body(ids), status=400 if result.errors else 200)


@csrf_exempt
@require_POST
def batch(request: HttpRequest) -> JsonResponse:
    """Up to 1,000 messages of any type; each bad one is named, the others are stored."""
    return _answer(request, None)


def single_call(call: str) -> Callable[[HttpRequest], JsonResponse]:
    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> JsonResponse:
        return _answer(request, call)

    view.__name__ = f"segment_{call}"
    view.__doc__ = f"One Segment {call} call."
    return view
