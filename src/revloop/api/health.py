"""``/healthz``: whether this revloop can serve (its database answers) and whether its
background work runs (a worker's heartbeat is recent).

503 when the database does not answer. A missing or stale worker makes the status
``degraded`` but still 200, since the web process serves pages without it and a load
balancer must not take the site down for it; a monitor that wants a failing status
for it asks ``/healthz?worker=required``."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from revloop import __version__
from revloop.worker.actions import worker_alive


def healthz(request: HttpRequest) -> JsonResponse:
    body: dict[str, object] = {"version": __version__}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
        alive, beat = worker_alive(settings.REVLOOP_WORKER_INTERVAL)
        body["worker"] = "ok" if alive else ("stale" if beat else "missing")
        body["last_heartbeat"] = beat.isoformat() if beat else None
    except Exception as exc:
        body["database"] = f"unreachable: {type(exc).__name__}"
        body["worker"] = "unknown"
    serving = body["database"] == "ok"
    healthy = serving and body["worker"] == "ok"
    body["status"] = "ok" if healthy else "degraded"
    required = request.GET.get("worker") == "required"
    return JsonResponse(body, status=200 if (healthy or (serving and not required)) else 503)
