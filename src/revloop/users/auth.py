"""Bearer-token authentication for the API (tokens are stored hashed), for every router."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from revloop.users.actions import do_record_token_use
from revloop.users.models import TOKEN_PREFIX, ApiToken, TokenScope, User, hash_token
from revloop.users.policy import require
from revloop.users.requests import ApiRequest
from revloop.users.throttle import (
    ThrottledError,
    client_address,
    ingest_limit,
    take,
    token_failure_limit,
    wait_for,
)

# Writing last_used_at on every call would turn each read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def access_token(raw: str) -> ApiToken | None:
    """The live token for a raw bearer value, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .prefetch_related("user__groups")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        do_record_token_use(token, now)
    return token


class TokenAuth(HttpBearer):
    """Accepts tokens whose scope is one of ``scopes``; with a ``permission``, the
    token's user must also hold it (a 403 otherwise): a scope says what the token may
    be used for, the user's role what its holder may do."""

    def __init__(
        self, scopes: frozenset[str], permission: str = "", *, ingestion: bool = False
    ) -> None:
        super().__init__()
        self.scopes = scopes
        self.permission = permission
        #: Ingestion endpoints hold each token to its rate (``REVLOOP_INGEST_RATE``).
        self.ingestion = ingestion

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = check_token(token, client_address(request.META))
        if api_token is None or api_token.scope not in self.scopes:
            return None
        if self.permission:
            require(api_token.user, self.permission)
        if self.ingestion:
            check_ingest_rate(api_token)
        # The request becomes what the handlers are annotated with.
        cast(ApiRequest, request).api_token = api_token
        return api_token.user


full_access = TokenAuth(frozenset({TokenScope.FULL}))
ingest_access = TokenAuth(
    frozenset({TokenScope.FULL, TokenScope.INGEST}), "capture.write", ingestion=True
)


def check_token(raw: str, address: str) -> ApiToken | None:
    """The live token for ``raw``, with guessing throttled per client address.

    Every unknown token costs the address one request from its bucket; once empty, the
    address is refused (429) before any token is looked at, so a guesser learns nothing.
    """
    key = f"badtoken:{address}"
    wait = wait_for(key, token_failure_limit())
    if wait:
        raise ThrottledError("too many unknown tokens from this address; try again later", wait)
    token = access_token(raw)
    if token is None:
        take(key, token_failure_limit())
    return token


def check_ingest_rate(token: ApiToken) -> None:
    limit = ingest_limit()
    wait = take(f"ingest:{token.pk}", limit)
    if wait:
        raise ThrottledError(
            f"this token sends more than {limit.rate:g} requests a second; slow down", wait
        )
