"""A local HTTP receiver that records what it is sent and answers as told."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

from revloop.engine.vocabulary import Role
from revloop.users.models import User
from revloop.webhooks.models import WebhookEndpoint

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "a-receiver-secret-0123456789"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    #: Status codes to answer with, in order; the last one repeats.
    statuses: list[int] = field(default_factory=lambda: [200])
    headers_out: dict[str, str] = field(default_factory=dict)

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                state.requests.append(Received(dict(self.headers.items()), body))
                status = state.next_status()
            self.send_response(status)
            for key, value in state.headers_out.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(db: None, receiver: Receiver) -> WebhookEndpoint:
    # The receiver listens on loopback, which only an admin may allow; made directly, so
    # that a transactional test leaves no append-only audit entry for SQLite's flush.
    return WebhookEndpoint.objects.create(
        url=receiver.url,
        events=["lead.assigned", "sla.breached"],
        secret=SECRET,
        description="sales",
        allow_private=True,
    )


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user("ada", Role.ADMIN, is_staff=True)
