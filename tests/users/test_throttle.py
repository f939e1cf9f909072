"""Throttling: logins lock out, token guessing is refused, each token's ingestion is
held to its rate, and a forgotten password is reset by e-mail."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from revloop.users.models import ApiToken, RateBucket, TokenScope, User
from revloop.users.throttle import Limit, take

pytestmark = pytest.mark.django_db

EVENT = {
    "events": [{"event_id": "e-1", "type": "page_view", "occurred_at": "2026-05-01T10:00:00Z"}]
}


def _login(client: Client, password: str) -> int:
    return client.post("/login/", {"username": "rob", "password": password}).status_code


def test_five_wrong_passwords_lock_the_login_with_a_clear_answer(rep: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(4):
        assert _login(client, "wrong") == 200
    assert _login(client, "wrong") == 429  # the fifth locks
    response = client.post("/login/", {"username": "rob", "password": "pw-rob"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by this one.
    assert _login(Client(REMOTE_ADDR="198.51.100.8"), "pw-rob") == 302


def test_a_right_password_before_the_limit_starts_the_count_again(rep: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, "pw-rob") == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "wrong") == 200
    assert _login(client, "pw-rob") == 302


def test_an_address_guessing_tokens_is_refused_even_with_a_real_one(
    rep: User, settings: SettingsWrapper
) -> None:
    settings.REVLOOP_TOKEN_FAILURES_BURST = 3
    _, raw = ApiToken.issue(rep, "real")
    guesser = {"REMOTE_ADDR": "203.0.113.5"}
    for n in range(3):
        answer = Client(headers={"Authorization": f"Bearer rl_x_{n}"}, **guesser).get("/api/v1/me")
        assert answer.status_code == 401
    refused = Client(headers={"Authorization": f"Bearer {raw}"}, **guesser).get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) >= 1
    elsewhere = Client(headers={"Authorization": f"Bearer {raw}"}, REMOTE_ADDR="203.0.113.6")
    assert elsewhere.get("/api/v1/me").status_code == 200


def test_a_token_sending_too_fast_gets_429_with_retry_after(
    marketer: User, settings: SettingsWrapper
) -> None:
    settings.REVLOOP_INGEST_BURST = 3
    settings.REVLOOP_INGEST_RATE = 1
    _, raw = ApiToken.issue(marketer, "feed", TokenScope.INGEST)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    answers = [
        client.post("/api/v1/events", EVENT, content_type="application/json") for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "throttled"
    assert answers[-1]["Retry-After"] == "1"
    # Another token of the same user has its own bucket.
    _, other = ApiToken.issue(marketer, "feed 2", TokenScope.INGEST)
    second = Client(headers={"Authorization": f"Bearer {other}"})
    assert second.post("/api/v1/events", EVENT, content_type="application/json").status_code == 200


def test_the_segment_endpoint_is_held_to_the_same_rate(
    marketer: User, settings: SettingsWrapper
) -> None:
    settings.REVLOOP_INGEST_BURST = 2
    settings.REVLOOP_INGEST_RATE = 1
    _, raw = ApiToken.issue(marketer, "site", TokenScope.INGEST)
    basic = base64.b64encode(f"{raw}:".encode()).decode()
    client = Client(headers={"Authorization": f"Basic {basic}"})
    body = json.dumps(
        {"batch": [{"type": "track", "event": "x", "anonymousId": "a", "messageId": "m1"}]}
    )
    codes = [
        client.post("/v1/batch", body, content_type="application/json").status_code
        for _ in range(2)
    ]
    assert codes == [200, 200]
    last = client.post("/v1/batch", body, content_type="application/json")
    assert last.status_code == 429
    assert last.json()["code"] == "throttled"
    assert "Retry-After" in last


def test_a_bucket_refills_with_time() -> None:
    limit = Limit(rate=2, burst=2)
    now = timezone.now()
    assert [take("k", limit, now) for _ in range(3)][:2] == [0.0, 0.0]
    assert take("k", limit, now) == pytest.approx(0.5)
    assert take("k", limit, now + timedelta(seconds=0.5)) == 0.0


@pytest.mark.django_db(transaction=True)
def test_eight_workers_at_once_take_exactly_the_burst() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    limit = Limit(rate=0.001, burst=10)
    results: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(5):
                wait = take("shared", limit)
                with lock:
                    results.append(wait)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for w in results if w == 0.0) == 10
    assert RateBucket.objects.get(key="shared").tokens < 1


def test_a_forgotten_password_is_reset_by_email(make_user: Callable[..., User]) -> None:
    make_user("ann", email="ann@example.com")
    client = Client()
    page = client.get("/password-reset/")
    assert page.status_code == 200
    sent = client.post("/password-reset/", {"email": "ann@example.com"})
    assert sent.status_code == 302
    assert client.get(sent["Location"]).status_code == 200
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", message.body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new secret 42", "new_password2": "a long new secret 42"},
    )
    assert done.status_code == 302
    assert (
        client.post("/login/", {"username": "ann", "password": "a long new secret 42"}).status_code
        == 302
    )


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db: None) -> None:
    sent = Client().post("/password-reset/", {"email": "nobody@example.com"})
    assert sent.status_code == 302
    assert not mail.outbox
