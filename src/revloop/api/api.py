"""The REST API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from revloop import __version__
from revloop.analytics.api import router as analytics_router
from revloop.analytics.overview import CompanyStats, company_stats
from revloop.capture.api import router as capture_router
from revloop.capture.imports_api import router as imports_router
from revloop.catalog.api import router as catalog_router
from revloop.core.database import database_unavailable
from revloop.core.errors import RevloopError, as_domain_error
from revloop.engine.errors import EngineInputError
from revloop.feedback.api import router as feedback_router
from revloop.goals.api import router as goals_router
from revloop.lifecycle.api import router as lifecycle_router
from revloop.people.api import router as people_router
from revloop.pipeline.api import router as pipeline_router
from revloop.routing.api import router as routing_router
from revloop.scoring.api import router as scoring_router
from revloop.users.api import router as users_router
from revloop.users.auth import full_access
from revloop.users.models import User
from revloop.users.policy import require
from revloop.users.requests import ApiRequest
from revloop.users.throttle import ThrottledError

#: What each error status means, for every operation that can answer it.
_ERROR_STATUSES = {
    "400": "the input is wrong; the message names the field",
    "401": "no valid bearer token",
    "403": "the token's user may not do this",
    "404": "the record named in the path does not exist",
    "409": "someone else changed the record first; the message says who and what",
    "413": "the body or the batch is larger than allowed",
    "422": "the input does not match the schema; the message names each field",
    "429": "too many requests (or unknown tokens); Retry-After says when to try again",
    "503": "the database is unavailable (restarting); Retry-After says when to try again",
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}


class RevloopAPI(NinjaAPI):
    """The API whose OpenAPI document lists the error answers of every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    _document_errors(method, operation)
        return schema


def _document_errors(method: str, operation: dict[str, Any]) -> None:
    wanted = {"400", "403", "404", "422", "503"}
    if operation.get("security"):
        wanted.update({"401", "429"})
    if method in {"post", "put", "patch"}:
        wanted.add("413")
    if method in {"post", "put", "patch", "delete"}:
        wanted.add("409")
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    # Ninja keys an operation's own answers by int (409), these by text ("409"): the
    # same status twice is a duplicate key in the JSON, which Swagger UI cannot parse.
    for status in sorted(wanted - {str(key) for key in operation["responses"]}):
        operation["responses"][status] = {
            "description": _ERROR_STATUSES[status],
            "content": content,
        }


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's documentation and schema are for revloop's users: a signed-in user or a
    bearer token, with a role (``api.docs``); anyone else goes to the login page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user if request.user.is_authenticated else full_access(request)
        if not isinstance(user, User):
            return redirect_to_login(request.get_full_path())
        require(user, "api.docs")
        return view(request, *args, **kwargs)

    return guarded


api = RevloopAPI(
    title="revloop API",
    version="1",
    description="The closed loop between Marketing and Sales. Authenticate with "
    "`Authorization: Bearer <token>`; create a token with `revloop token create`.",
    auth=[full_access],
    urls_namespace="api",
    docs_decorator=docs_access,
)


class ErrorOut(Schema):
    code: str
    message: str


api.add_router("/", capture_router)
api.add_router("/", imports_router)
api.add_router("/", people_router)
api.add_router("/", lifecycle_router)
api.add_router("/", scoring_router)
api.add_router("/", feedback_router)
api.add_router("/", analytics_router)
api.add_router("/", routing_router)
api.add_router("/", catalog_router)
api.add_router("/", goals_router)
api.add_router("/", pipeline_router)
api.add_router("/", users_router)


def error_response(request: HttpRequest, code: str, message: str, status: int) -> HttpResponse:
    """Every error the API answers, in one form: ``{"code": ..., "message": ...}``."""
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(EngineInputError)
def engine_input_error(request: HttpRequest, exc: EngineInputError) -> HttpResponse:
    error = as_domain_error(exc)
    assert error is not None
    return revloop_error(request, error)


@api.exception_handler(RevloopError)
def revloop_error(request: HttpRequest, exc: RevloopError) -> HttpResponse:
    response = error_response(request, exc.code, exc.message, exc.status)
    if isinstance(exc, ThrottledError):
        response["Retry-After"] = str(exc.retry_after)
    return response


#: Seconds a client waits before retrying while the database is away (it restarts in a few).
RETRY_AFTER_UNAVAILABLE = 5


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    gone = database_unavailable(exc)
    if gone is None:
        raise exc  # a bug, not an outage: the server's own error answer and traceback
    response = error_response(request, gone.code, gone.message, gone.status)
    response["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return response


#: Ninja's own refusals (no token, a throttle), by status.
_HTTP_CODES = {
    401: ("unauthorized", "give a valid token: Authorization: Bearer <token>"),
    403: ("forbidden", "this token may not call this endpoint"),
    404: ("not_found", "no such resource"),
    429: ("throttled", "too many requests; try again later"),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = _HTTP_CODES.get(exc.status_code, ("error", str(exc)))
    response = error_response(request, code, message, exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, "not_found", str(exc) or "no such resource", 404)


def _field(loc: Sequence[Any]) -> str:
    """A schema error's field as the client wrote it: ``starts``, not ``body.payload.starts``."""
    parts = [str(p) for p in loc[1:]]
    if loc[:1] == ("body",) and len(parts) > 1:
        parts = parts[1:]  # the handler's parameter name, which the client never sees
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{_field(tuple(err.get('loc', ())))}: "
        f"{str(err.get('msg', 'invalid')).removeprefix('Value error, ')}"
        for err in exc.errors
    )
    return api.create_response(
        request, {"code": "invalid", "message": problems, "errors": exc.errors}, status=422
    )


class HealthOut(Schema):
    status: str
    version: str
    database: str


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["ops"])
def health(request: HttpRequest) -> Status[HealthOut]:
    """Liveness and database reachability; needs no token."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db = "ok"
    except Exception:
        db = "unreachable"
    status = 200 if db == "ok" else 503
    body = HealthOut(status="ok" if status == 200 else "degraded", version=__version__, database=db)
    return Status(status, body)


class MeOut(Schema):
    username: str
    roles: list[str]
    token_scope: str


@api.get("/me", response=MeOut, tags=["ops"])
def me(request: ApiRequest) -> MeOut:
    """Who the bearer token acts as."""
    user = request.auth
    return MeOut(
        username=user.username,
        roles=sorted(user.roles),
        token_scope=request.api_token.scope,
    )


@api.get("/stats", response=CompanyStats, tags=["reports"])
def stats(request: ApiRequest) -> CompanyStats:
    """Counts of the company's records and people per lifecycle stage."""
    require(request.auth, "analytics.read")
    return company_stats()
