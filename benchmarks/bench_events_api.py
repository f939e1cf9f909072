"""Throughput of POST /api/v1/events behind the production server (gunicorn).

    python benchmarks/bench_events_api.py [--batches 60] [--size 500] [--clients 4]
        [--workers 2] [--database-url postgres://…/empty_db] [--profile DIR]

Starts `revloop serve` on a fresh database, sends batches of ``--size`` new events
(a realistic mix: a tenth of them identify a person by email, the rest are
anonymous or known visitors) from parallel clients, then sends the first batches
again to time the duplicate path. Prints one table, with the server's peak memory
(gunicorn's processes together, and the largest one). ``--profile DIR`` also writes a
flame graph of the server's processes during the new events (py-spy; the times of
that run are slower by the sampling).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import benchkit

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _batch(number: int, size: int = 1000) -> bytes:
    events = []
    for i in range(size):
        n = number * size + i
        event = {
            "event_id": f"bench-{n}",
            "timestamp": f"2026-03-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+00:00",
            "type": ("page_view", "email_open", "content_download", "form_submit")[n % 4],
            "channel": ("organic_search", "email", "paid_search")[n % 3],
            "url": f"https://example.com/page/{n % 500}",
            "anonymous_id": f"anon-{n % 20_000}",
        }
        if n % 10 == 0:
            event["email"] = f"person{n % 50_000}@company{n % 3_000}.example"
        events.append(event)
    return json.dumps({"events": events}).encode()


def _post(port: int, token: str, body: bytes) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(
        "POST",
        "/api/v1/events",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    payload = json.loads(response.read())
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {payload}")
    return time.perf_counter() - started, payload["counts"]


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "revloop"), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _fresh_site(prefix: str, database_url: str) -> tuple[dict[str, str], str]:
    """The environment of a new, migrated site with one user, and an ingest token for them."""
    home = tempfile.mkdtemp(prefix=prefix)
    env = {**os.environ, "REVLOOP_HOME": home, "REVLOOP_HTTPS": "false"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    _run(env, "migrate", "-v0")
    _run(
        env,
        "shell",
        "-c",
        # Sending people and events is marketing's (or a rep's) to do.
        "from django.contrib.auth.models import Group; from revloop.users.models import User; "
        "User.objects.create_user('bench').groups.add("
        "Group.objects.get_or_create(name='marketing')[0])",
    )
    created = _run(
        env, "token", "create", "--user", "bench", "--name", "bench", "--scope", "ingest", "--json"
    )
    return env, json.loads(created)["token"]


def _serve(env: dict[str, str], workers: int) -> tuple[int, subprocess.Popen[bytes]]:
    """`revloop serve` (gunicorn) on a free port, once it accepts connections."""
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "revloop"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    return port, server


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", type=int, default=500, help="events per batch")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", metavar="DIR", help="a flame graph of the server into DIR")
    opts = parser.parse_args()

    env, token = _fresh_site("revloop-bench-events-", opts.database_url)
    port, server = _serve(env, opts.workers)
    try:
        bodies = [_batch(n, opts.size) for n in range(opts.batches)]
        _post(port, token, _batch(10_000, opts.size))  # warm-up: imports, connections
        rows = []
        memory = benchkit.TreeMemory(server.pid)
        memory.__enter__()
        for label, payloads in (
            ("new events", bodies),
            ("resent (duplicates)", bodies[: opts.batches // 2]),
        ):
            graph = (
                Path(opts.profile) / "events-api.svg"
                if opts.profile and label == "new events"
                else None
            )
            started = time.perf_counter()
            with (
                benchkit.flame_graph(graph, pid=server.pid),
                ThreadPoolExecutor(opts.clients) as pool,
            ):
                results = list(pool.map(lambda b: _post(port, token, b), payloads))
            seconds = time.perf_counter() - started
            events = opts.size * len(payloads)
            latencies = sorted(r[0] for r in results)
            counts: dict[str, int] = {}
            for _, c in results:
                for k, v in c.items():
                    counts[k] = counts.get(k, 0) + v
            rows.append(
                (
                    label,
                    events,
                    seconds,
                    statistics.median(latencies),
                    latencies[round(0.99 * (len(latencies) - 1))],
                    counts,
                )
            )
        memory.__exit__()
    finally:
        server.terminate()
        server.wait(timeout=30)

    database = "postgresql" if opts.database_url else "sqlite"
    print(
        f"POST /api/v1/events, batches of {opts.size:,}, {opts.clients} clients, "
        f"gunicorn {opts.workers} workers, {database}; "
        f"server peak {memory.peak_total_mib:,.0f} MiB in all, "
        f"{memory.peak_process_mib:,.0f} MiB the largest process; {benchkit.machine_state()}"
    )
    header = ("run", "events", "seconds", "events/s", "batch p50", "batch p99")
    print(f"{header[0]:<22}" + "".join(f"{h:>11}" for h in header[1:]) + "  counts")
    for label, events, seconds, p50, p99, counts in rows:
        cells = (
            f"{events:,}",
            f"{seconds:.1f}",
            f"{events / seconds:,.0f}",
            f"{p50 * 1000:.0f} ms",
            f"{p99 * 1000:.0f} ms",
        )
        print(f"{label:<22}" + "".join(f"{c:>11}" for c in cells) + f"  {counts}")


if __name__ == "__main__":
    main()
