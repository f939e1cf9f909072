"""Every route, for every role: allowed or refused exactly as the access policy declares.

Each page (Django's URL patterns, walked), each API operation (the OpenAPI document)
and each revloop command declares its rule below: a permission of
``revloop.users.policy`` (checked for the persona against the record the route names),
``PUBLIC`` (no sign-in), ``SIGNED_IN`` (any signed-in user or token) or, for a command,
``OPERATOR`` (runs as revloop itself, see ``revloop.users.commands``). A route or
command without a rule fails :func:`test_every_route_declares_its_rule`, so a new one
must say who may use it. The admin site's pages follow Django's admin permissions
(``has_*_permission``, tested with each admin); its actions are walked role by role in
``tests/test_admin_actions_matrix.py``.

A GET is asked as every persona: an allowed one must not get 403 (nor 5xx), a refused
one must get 403 (401 or a redirect to the login page when not signed in). Every write
(POST, PUT, PATCH, DELETE) is asked as every persona with a body the operation accepts:
a refused one gets 403 before anything changes, an allowed one gets past the policy.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from revloop.api.api import api
from revloop.contracts.versions import active_version
from revloop.engine.vocabulary import Role
from revloop.people.models import Person
from revloop.users.models import ApiToken, TokenScope, User
from revloop.users.policy import PERMISSIONS, ROLE_NAMES, allows
from tests import factories

PUBLIC = "public"
SIGNED_IN = "signed_in"
OPERATOR = "operator"

#: Pages by URL name (method, rule).
PAGE_RULES: dict[str, tuple[str, str]] = {
    "home": ("GET", "analytics.read"),
    "favicon": ("GET", PUBLIC),
    "healthz": ("GET", PUBLIC),
    "login": ("GET", PUBLIC),
    "password_reset": ("GET", PUBLIC),
    "password_reset_done": ("GET", PUBLIC),
    "password_reset_confirm": ("GET", PUBLIC),
    "password_reset_complete": ("GET", PUBLIC),
    "logout": ("POST", SIGNED_IN),
    "tracker-script": ("GET", PUBLIC),
    "leads": ("GET", "people.read"),
    "leads-export": ("GET", "people.read"),
    "leads-reassign": ("POST", "lead.reassign"),
    "leads-view-save": ("POST", "people.read"),
    "leads-view-delete": ("POST", "people.read"),
    "contract": ("GET", "people.read"),
    "contract-version": ("GET", "people.read"),
    "contract-backtest": ("GET", "people.read"),
    "contract-diff": ("GET", "people.read"),
    "contract-propose": ("POST", "contract.propose"),
    "contract-approve": ("POST", "contract.approve"),
    "contract-reject": ("POST", "contract.withdraw"),
    "person": ("GET", "people.read"),
    "brief": ("GET", "people.read"),
    "inbox": ("GET", "inbox.read"),
    "inbox-action": ("POST", "lead.work"),
    "marketing": ("GET", "analytics.read"),
    "goals": ("GET", "analytics.read"),
    "plan": ("GET", "analytics.read"),
    "plan-goals": ("POST", "goal.set"),
    "insights": ("GET", "analytics.read"),
    "pipeline": ("GET", "pipeline.read"),
    "copy-check": ("GET", "copy.check"),
    "imports": ("GET", "imports.open"),
    "tracking-settings": ("GET", "tracking.manage"),
    # Segment and RudderStack libraries: an ingest token as the write key, whose user
    # must hold capture.write (tested in tests/capture/test_segment_api.py).
    **{
        f"segment-{call}": ("POST", "capture.write")
        for call in ("batch", "import", "track", "page", "screen", "identify", "group", "alias")
    },
    # The API's own views beside its operations.
    "openapi-json": ("GET", "api.docs"),
    "openapi-view": ("GET", "api.docs"),
    "api-root": ("GET", PUBLIC),
}

#: API operations by "METHOD path" (the OpenAPI document's), with the rule.
API_RULES: dict[str, str] = {
    "GET /api/v1/health": PUBLIC,
    "GET /api/v1/me": SIGNED_IN,
    "GET /api/v1/stats": "analytics.read",
    "POST /api/v1/events": "capture.write",
    "POST /api/v1/people": "capture.write",
    "POST /api/v1/identify": "capture.write",
    "POST /api/v1/forms/{slug}": "capture.write",
    "POST /api/v1/imports/{kind}": "import.people",
    "POST /api/v1/people/merge": "people.merge",
    "GET /api/v1/people/{ref}/export": "personal_data.handle",
    "POST /api/v1/people/{ref}/erase": "personal_data.handle",
    "POST /api/v1/people/{person}/transitions": "lead.work",
    "GET /api/v1/people/{person}/transitions": "people.read",
    "GET /api/v1/people/{person}/score": "people.read",
    "GET /api/v1/inbox": "inbox.read",
    "GET /api/v1/people/{person}/brief": "people.read",
    "POST /api/v1/people/{person}/activities": "lead.work",
    "POST /api/v1/people/{person}/heard": "lead.work",
    "POST /api/v1/people/{person}/notes": "lead.work",
    "POST /api/v1/people/{person}/verdicts": "lead.work",
    "POST /api/v1/people/{person}/convert": "lead.work",
    "GET /api/v1/analytics/funnel": "analytics.read",
    "GET /api/v1/analytics/attribution": "analytics.read",
    "GET /api/v1/analytics/content": "analytics.read",
    "GET /api/v1/analytics/rejections": "analytics.read",
    "GET /api/v1/analytics/misinformed": "analytics.read",
    "GET /api/v1/analytics/insights": "analytics.read",
    "GET /api/v1/analytics/lift": "analytics.read",
    "GET /api/v1/analytics/opportunities": "analytics.read",
    "GET /api/v1/analytics/leads": "analytics.read",
    "GET /api/v1/people/{person}/assignments": "people.read",
    "POST /api/v1/people/{person}/reassign": "lead.reassign",
    "POST /api/v1/reps/{username}/absences": "rep.away",
    "GET /api/v1/sla/compliance": "people.read",
    "GET /api/v1/catalog": "copy.check",
    "POST /api/v1/catalog": "catalog.save",
    "POST /api/v1/catalog/check": "copy.check",
    "GET /api/v1/goals": "analytics.read",
    "POST /api/v1/goals": "goal.set",
    "GET /api/v1/goals/{goal_id}": "analytics.read",
    "GET /api/v1/plan": "analytics.read",
    "POST /api/v1/plan/goals": "goal.set",
    "GET /api/v1/pipeline/checks": "pipeline.read",
    "POST /api/v1/pipeline/dismissals": "pipeline.dismiss",
    "GET /api/v1/pipeline/forecast": "pipeline.read",
    "GET /api/v1/audit": "audit.read",
    "GET /api/v1/audit.csv": "audit.read",
}

#: A body key that sends the body as a multipart form (a file upload) instead of JSON.
MULTIPART = "__multipart__"

#: Bodies every write operation (POST, PUT, PATCH, DELETE) accepts, so a refusal is the
#: policy's and not the schema's; an allowed role must get past the policy with it. A
#: new write without a body here fails :func:`test_every_write_has_a_body`. In order: the
#: erasure comes last, since it takes the lead's personal data away.
API_BODIES: dict[str, Callable[[Person], dict[str, Any]]] = {
    "POST /api/v1/people/{person}/reassign": lambda lead: {"to": "sam"},
    "POST /api/v1/people/{person}/verdicts": lambda lead: {"verdict": "accept"},
    "POST /api/v1/people/{person}/notes": lambda lead: {"text": "called"},
    "POST /api/v1/people/{person}/transitions": lambda lead: {"action": "accept"},
    "POST /api/v1/people/merge": lambda lead: {
        "survivor": str(lead.pk),
        "duplicates": ["b@x.example"],
    },
    "POST /api/v1/pipeline/dismissals": lambda lead: {
        "opportunity": 1,
        "check": "no_activity",
        "reason": "by phone",
    },
    "POST /api/v1/people": lambda lead: {"people": [{"email": "new@x.example"}]},
    "POST /api/v1/events": lambda lead: {
        "events": [
            {
                "event_id": "e1",
                "timestamp": "2026-03-02T09:30:00+01:00",
                "type": "form_submit",
                "email": "new@x.example",
            }
        ]
    },
    "POST /api/v1/identify": lambda lead: {"anonymous_id": "anon-1", "email": "new@x.example"},
    "POST /api/v1/forms/{slug}": lambda lead: {"email": "form@x.example"},
    "POST /api/v1/imports/{kind}": lambda lead: {
        MULTIPART: True,
        "file": SimpleUploadedFile("people.csv", b"email\nimported@x.example\n", "text/csv"),
    },
    "POST /api/v1/people/{person}/activities": lambda lead: {"kind": "call"},
    "POST /api/v1/people/{person}/heard": lambda lead: {"kind": "question", "text": "price?"},
    "POST /api/v1/people/{person}/convert": lambda lead: {
        "name": "Fleet pilot",
        "amount": "1000",
        "currency": "USD",
        "close_date": "2027-01-29",
    },
    "POST /api/v1/reps/{username}/absences": lambda lead: {
        "starts": "2027-03-01",
        "ends": "2027-03-02",
    },
    "POST /api/v1/catalog": lambda lead: {"text": "products: []\n"},
    "POST /api/v1/catalog/check": lambda lead: {"text": "Free shipping on every order"},
    "POST /api/v1/goals": lambda lead: {
        "team": "sales",
        "metric": "new_leads",
        "period": "2027-Q1",
        "target": "1200",
    },
    "POST /api/v1/plan/goals": lambda lead: {"revenue": "100000", "period": "2027-Q1"},
    "POST /api/v1/people/{ref}/erase": lambda lead: {},
}

#: Query strings that GET operations require, so a refusal is the policy's.
API_QUERIES: dict[str, dict[str, str]] = {
    "GET /api/v1/analytics/lift": {"campaign": "spring"},
    "GET /api/v1/analytics/opportunities": {"by": "source"},
    "GET /api/v1/analytics/leads": {"by": "source"},
    "GET /api/v1/plan": {"revenue": "100000", "period": "next-quarter"},
}

#: revloop's commands (``revloop COMMAND``): who they act as.
COMMAND_RULES: dict[str, str] = {
    "contract": "contract.approve",  # approve/propose/withdraw act as REVLOOP_TOKEN's user
    "stage": "lead.work",
    "pipeline": "pipeline.dismiss",
    "rep": "rep.away",
    "catalog": "catalog.save",
    "goals": "goal.set",
    "plan": "goal.set",
    # The operator's own runs: imports, routing, sweeps, reports, the worker, tokens.
    **dict.fromkeys(
        [
            "attribution",
            "content",
            "funnel",
            "insights",
            "lift",
            "misinformed",
            "stats",
            "import",
            "check-copy",
            "serve",
            "demo",
            "forecast",
            "leads",
            "opportunities",
            "dedupe",
            "people",
            "model",
            "route",
            "sla",
            "explain",
            "score",
            "token",
            "webhook",
            "worker",
            "export",
            "backup",
            "restore",
        ],
        OPERATOR,
    ),
}


def _pages() -> Iterator[tuple[str, str]]:
    """(URL name, route) of every page outside the admin and the API's operations."""

    def walk(resolver: URLResolver, prefix: str) -> Iterator[tuple[str, str]]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if str(entry.pattern) != "admin/":
                    yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                operation = getattr(entry.callback, "__module__", "") == "ninja.operation"
                if entry.name and not operation:
                    yield entry.name, prefix + str(entry.pattern)

    return walk(get_resolver(), "/")


def _operations() -> list[str]:
    schema = api.get_openapi_schema()
    return [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _revloop_commands() -> list[str]:
    return sorted(name for name, app in get_commands().items() if app.startswith("revloop."))


@pytest.mark.django_db
def test_every_route_declares_its_rule() -> None:
    pages = dict(_pages())
    assert sorted(set(pages) - set(PAGE_RULES)) == [], "pages without a rule in PAGE_RULES"
    assert sorted(set(_operations()) - set(API_RULES)) == [], "operations without a rule"
    assert sorted(set(_revloop_commands()) - set(COMMAND_RULES)) == [], "commands without one"
    rules = [r for _, r in PAGE_RULES.values()] + [*API_RULES.values(), *COMMAND_RULES.values()]
    unknown = {r for r in rules if r not in {PUBLIC, SIGNED_IN, OPERATOR} and r not in PERMISSIONS}
    assert unknown == set(), "rules naming no permission of the policy"
    # A stale rule hides a renamed route: every rule names a route that exists.
    assert sorted(set(PAGE_RULES) - set(pages)) == []
    assert sorted(set(API_RULES) - set(_operations())) == []


@pytest.fixture
def world(make_user: Callable[..., User]) -> dict[str, Any]:
    """One persona per role (and none), a lead owned by the rep, a contract and a deal."""
    active_version()
    manager = make_user("mona", Role.SALES_MANAGER)
    personas = {
        "marketing": make_user("mia", Role.MARKETING),
        "sales_rep": make_user("rob", Role.SALES_REP, manager=manager),
        "sales_manager": manager,
        "admin": make_user("ada", Role.ADMIN, is_staff=True),
        "viewer": make_user("vic", Role.VIEWER),
        "none": make_user("otto"),
    }
    make_user("sam", Role.SALES_REP, manager=manager)
    lead = factories.person(email="lead@x.example", stage="mql", owner=personas["sales_rep"])
    factories.person(email="b@x.example")
    return {"personas": personas, "lead": lead}


def _kwargs(route: str, lead: Person) -> dict[str, str]:
    values = {
        "pk": str(lead.pk),
        "person": str(lead.pk),
        "ref": str(lead.pk),
        "number": "1",
        "goal_id": "1",
        "username": "rob",
        "kind": "people",
        "slug": "demo",
        "action": "accept",
        "uidb64": "MQ",
        "token": "set-password",
    }
    out = {}
    for part in route.replace("<", "{").replace(">", "}").split("{")[1:]:
        name = part.split("}")[0].split(":")[-1]
        out[name] = values[name]
    return out


def _fill(route: str, lead: Person) -> str:
    path = route
    for name, value in _kwargs(route, lead).items():
        for form in (f"<int:{name}>", f"<slug:{name}>", f"<{name}>", f"{{{name}}}"):
            path = path.replace(form, value)
    return path


def _expected(user: User, rule: str, lead: Person) -> bool:
    if rule in {PUBLIC, SIGNED_IN}:
        return True
    return allows(user, rule, lead)


def _crashed(status: int) -> bool:
    # 503 is an answer (the health check's "a worker is missing"), not a crash.
    return status >= 500 and status != 503


def _page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token_client(user: User) -> Client:
    _, raw = ApiToken.issue(user, "matrix", TokenScope.FULL)
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_pages_answer_each_role_as_declared(world: dict[str, Any], role: str) -> None:
    user, lead = world["personas"][role], world["lead"]
    client = _page_client(user)
    wrong = []
    for name, route in _pages():
        method, rule = PAGE_RULES[name]
        if method != "GET":
            continue
        status = client.get(_fill(route, lead)).status_code
        allowed = _expected(user, rule, lead)
        if _crashed(status) or (status == 403) == allowed:
            wrong.append((name, status, "allowed" if allowed else "refused"))
    assert wrong == [], wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_api_reads_answer_each_role_as_declared(world: dict[str, Any], role: str) -> None:
    user, lead = world["personas"][role], world["lead"]
    client = _token_client(user)
    wrong = []
    for operation in _operations():
        method, path = operation.split(" ", 1)
        if method != "GET":
            continue
        rule = API_RULES[operation]
        status = client.get(_fill(path, lead), API_QUERIES.get(operation, {})).status_code
        allowed = _expected(user, rule, lead)
        if _crashed(status) or (status == 403) == allowed:
            wrong.append((operation, status, "allowed" if allowed else "refused"))
    assert wrong == [], wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_api_writes_refuse_each_role_the_policy_refuses(world: dict[str, Any], role: str) -> None:
    user, lead = world["personas"][role], world["lead"]
    client = _token_client(user)
    wrong = []
    for operation, body in API_BODIES.items():
        rule = API_RULES[operation]
        if _expected(user, rule, lead):
            continue
        response = _write(client, operation, body(lead), lead)
        if response.status_code != 403 or response.json()["code"] != "forbidden":
            wrong.append((operation, response.status_code))
    assert wrong == [], wrong
    lead.refresh_from_db()
    assert (lead.stage, lead.owner_id) == ("mql", world["personas"]["sales_rep"].pk)


def _write(client: Client, operation: str, body: dict[str, Any], lead: Person) -> Any:
    method, path = operation.split(" ", 1)
    send = getattr(client, method.lower())
    if body.pop(MULTIPART, False):
        return send(_fill(path, lead), body)
    return send(_fill(path, lead), body, content_type="application/json")


def test_every_write_has_a_body() -> None:
    writes = {op for op in _operations() if not op.startswith("GET ")}
    assert sorted(writes - set(API_BODIES)) == [], "write operations without a body"
    assert sorted(set(API_BODIES) - writes) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_api_writes_let_each_role_the_policy_allows_past_it(
    world: dict[str, Any], role: str
) -> None:
    """Allowed: the answer is the operation's own (done, or the input's fault), never a
    refusal nor a crash."""
    user, lead = world["personas"][role], world["lead"]
    client = _token_client(user)
    wrong = []
    for operation, body in API_BODIES.items():
        if not _expected(user, API_RULES[operation], lead):
            continue
        response = _write(client, operation, body(lead), lead)
        if response.status_code in {401, 403} or _crashed(response.status_code):
            wrong.append((operation, response.status_code, response.content[:200]))
    assert wrong == [], wrong


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in_or_refused(world: dict[str, Any]) -> None:
    client, lead = Client(), world["lead"]
    wrong = []
    for name, route in _pages():
        method, rule = PAGE_RULES[name]
        if method != "GET" or rule == PUBLIC:
            continue
        response = client.get(_fill(route, lead))
        if response.status_code != 302 or "/login/" not in response["Location"]:
            wrong.append((name, response.status_code))
    for operation in _operations():
        method, path = operation.split(" ", 1)
        if method == "GET" and API_RULES[operation] != PUBLIC:
            status = client.get(_fill(path, lead)).status_code
            if status != 401:
                wrong.append((operation, status))
    assert wrong == [], wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_commands_act_as_the_tokens_user_and_the_policy_decides(
    world: dict[str, Any], role: str, act_as: Callable[[User], User], tmp_path: Any
) -> None:
    """``contract approve`` signs as REVLOOP_TOKEN's user, ``rep away`` records as them."""
    user = world["personas"][role]
    contract = tmp_path / "contract.yaml"
    text = active_version().text.replace("min_grade: B", "min_grade: C")
    assert text != active_version().text
    contract.write_text(text)
    call_command("contract", "propose", str(contract), stdout=io.StringIO())
    act_as(user)
    for command, permission, obj in (
        (("contract", "approve", "2"), "contract.approve", None),
        (
            ("rep", "away", "rob", "--from", "2026-03-02", "--to", "2026-03-03"),
            "rep.away",
            world["personas"]["sales_rep"],
        ),
    ):
        if allows(user, permission, obj):
            call_command(*command, stdout=io.StringIO())
        else:
            with pytest.raises(CommandError) as refused:
                call_command(*command, stdout=io.StringIO())
            assert refused.value.returncode == 3, (command, refused.value)
