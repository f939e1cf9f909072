"""The HTTP side of Segment-spec ingestion: /v1/batch and the single-call paths.

Mounted at the site root because that is where the libraries send (``<host>/v1/batch``).
The write key is an ingest-scoped token in HTTP basic auth (the username; the
password is empty). Only ingest tokens are taken: a write key ends up in page source
and app bundles, so it must not be able to read anything.

A web page cannot send an Authorization header with ``sendBeacon``, so a browser puts the
key in the body (``writeKey``, as Segment's analytics.js does). A browser must use the
website key (:class:`SiteKey`), which is public: it is taken only with an ``Origin`` that
the key lists, and only for page, screen, track and identify calls whose identify keeps
the email alone. An ingest token is a server's secret and is refused from a web page.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from revloop.capture.actions import do_ingest_segment
from revloop.capture.models import SiteKey
from revloop.capture.schemas import MAX_BATCH
from revloop.capture.segment import (
    CALL_TYPES,
    MessageError,
    SegmentResult,
    call_type,
    reported_id,
)
from revloop.capture.site_keys import is_site_origin, site_key
from revloop.core.bounds import MAX_JSON_DEPTH
from revloop.users.auth import check_ingest_rate, check_token
from revloop.users.models import TokenScope
from revloop.users.policy import allows, refusal
from revloop.users.throttle import ThrottledError, client_address


class RefusedError(Exception):
    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
        # The libraries read `code` and `message` from an error answer.
        self.code = {
            401: "unauthorized",
            403: "forbidden",
            413: "too_large",
            429: "throttled",
        }.get(status, "invalid")


@dataclass(frozen=True)
class Sender:
    """Who sent a request: a server with an ingest token, or a browser on a listed site."""

    site: SiteKey | None = None
    origin: str = ""


#: What the public website key may send; alias and group change other people's records.
SITE_CALLS = frozenset({"page", "screen", "track", "identify"})


def _basic_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise RefusedError(401, "send the write key as the username of HTTP basic auth")
    try:
        return base64.b64decode(value, validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        raise RefusedError(401, "the basic auth header is not valid base64") from None


def _sender(request: HttpRequest, payload: Any) -> Sender:
    key = _basic_key(request)
    if key is None:
        given = payload.get("writeKey") if isinstance(payload, dict) else None
        if not isinstance(given, str) or not given:
            raise RefusedError(
                401, "send the write key as the username of HTTP basic auth (or writeKey)"
            )
        key = given
    origin = request.headers.get("Origin", "")
    site = site_key(key)
    if site is not None:
        if not origin or not site.allows(origin):
            raise RefusedError(
                403,
                f"this website key is not allowed from {origin or 'outside a browser'}; "
                "list the site under Settings → Tracking",
            )
        return Sender(site, origin)
    try:
        token = check_token(key, client_address(request.META))
        if token is not None and token.scope == TokenScope.INGEST:
            check_ingest_rate(token)
    except ThrottledError as exc:
        raise RefusedError(429, exc.message, exc.retry_after) from None
    if token is None:
        raise RefusedError(401, "unknown or revoked write key")
    if token.scope != TokenScope.INGEST:
        raise RefusedError(
            401,
            "the write key must be an ingest-scoped token (revloop token create --scope ingest)",
        )
    if not allows(token.user, "capture.write"):
        raise RefusedError(403, refusal(token.user, "capture.write").message)
    if origin:
        # A page's source is public: a server's token sent from one has leaked.
        raise RefusedError(
            403, "a server write key is refused from a web page; use the website key"
        )
    return Sender()


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
    except RecursionError:
        # Deeper than the parser goes: no message can be told apart, so the body is refused.
        raise RefusedError(
            400, f"body is nested too deeply to read; properties may nest {MAX_JSON_DEPTH} levels"
        ) from None


def _site_messages(
    messages: list[Any], single: str | None
) -> tuple[list[Any], list[int], dict[int, str]]:
    """The messages a website key may send, their places, and why the others are refused."""
    kept: list[Any] = []
    places: list[int] = []
    refused: dict[int, str] = {}
    for index, given in enumerate(messages):
        message = given
        call = (message.get("type") or single) if isinstance(message, dict) else None
        if call in CALL_TYPES and call not in SITE_CALLS:
            refused[index] = f"a website key cannot send {call} calls; use a server write key"
            continue
        if call == "identify":
            # A public key may say who the visitor is, not rewrite what revloop knows of them.
            context = message.get("context")
            context = context if isinstance(context, dict) else {}
            email = next(
                (
                    t.get("email")
                    for t in (message.get("traits"), context.get("traits"))
                    if isinstance(t, dict) and t.get("email")
                ),
                None,
            )
            context = {k: v for k, v in context.items() if k != "traits"}
            message = {**message, "traits": {"email": email} if email else {}, "context": context}
        kept.append(message)
        places.append(index)
    return kept, places, refused


def _ingest(
    messages: list[Any], sender: Sender, payload: dict[str, Any], single: str | None, at: Any
) -> tuple[SegmentResult, int]:
    if sender.site is None:
        result = do_ingest_segment(
            messages, received_at=at, sent_at=payload.get("sentAt"), default_type=single
        )
        return result, 400 if result.errors else 200
    kept, places, refused = _site_messages(messages, single)
    stored = do_ingest_segment(
        kept, received_at=at, sent_at=payload.get("sentAt"), default_type=single
    )
    result = SegmentResult(len(messages), stored.stored, stored.duplicates, refused)
    result.errors.update({places[i]: reason for i, reason in stored.errors.items()})
    return result, 400 if result.errors else 200


def _refusal(refused: RefusedError) -> JsonResponse:
    response = JsonResponse(
        {"success": False, "code": refused.code, "message": refused.message},
        status=refused.status,
    )
    if refused.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="revloop"'
    if refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _allow_site(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    return response


def _preflight(request: HttpRequest) -> HttpResponse:
    """Answer a browser's CORS preflight for a site that a live website key lists."""
    origin = request.headers.get("Origin", "")
    if not origin or not is_site_origin(origin):
        return HttpResponse(status=403)
    response = _allow_site(HttpResponse(status=204), origin)
    response["Access-Control-Allow-Methods"] = "POST"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _answer(request: HttpRequest, single: str | None) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST", "OPTIONS"])
    received_at = timezone.now()
    try:
        payload = _body(request)
        if not isinstance(payload, dict):
            raise RefusedError(400, "body must be a JSON object")
        sender = _sender(request, payload)
        if single is None:
            messages = payload.get("batch")
            if not isinstance(messages, list):
                raise RefusedError(400, 'body must be {"batch": [...]}')
            if len(messages) > MAX_BATCH:
                raise RefusedError(
                    413, f"{len(messages):,} messages in one batch; the limit is {MAX_BATCH:,}"
                )
        else:
            messages = [{k: v for k, v in payload.items() if k != "writeKey"}]
            try:
                call_type(payload, single)
            except MessageError as exc:
                raise RefusedError(400, exc.reason) from None
    except RefusedError as refused:
        return _refusal(refused)
    result, status = _ingest(messages, sender, payload, single, received_at)
    ids = [reported_id(m) for m in messages]
    response = JsonResponse(result.body(ids), status=status)
    return _allow_site(response, sender.origin) if sender.site is not None else response


@csrf_exempt
def batch(request: HttpRequest) -> HttpResponse:
    """Up to 1,000 messages of any type; each bad one is named, the others are stored."""
    return _answer(request, None)


def single_call(call: str) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        return _answer(request, call)

    view.__name__ = f"segment_{call}"
    view.__doc__ = f"One Segment {call} call."
    return view
