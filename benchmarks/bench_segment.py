"""Throughput of the Segment batch path (/v1/batch) next to the native one (/api/v1/events).

    python benchmarks/bench_segment.py [--batches 20] [--size 500] [--runs 3]
                                       [--clients 2] [--workers 2] [--gzip]
                                       [--database-url postgres://user@host:port/any_db]

Each run times each path on its own fresh site (a copy of one migrated site) behind
`revloop serve` (gunicorn):
the same mix of events (a tenth identify a person by email, the rest are anonymous or
known visitors) as native events, or as Segment track and page calls. With
``--database-url``, every site gets a new PostgreSQL database on that server (created
and dropped here); without, a new SQLite file. The paths take turns within a run, so
neither always goes first.

Prints, per path, the median over the runs of events/s and of the server's peak
memory (the largest ``ru_maxrss`` among gunicorn's processes, read with
``resource.getrusage(RUSAGE_CHILDREN)`` in a process that started only the server),
each run's figures, and the load average, since a loaded machine changes them.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).parent))
from bench_events_api import _batch, _fresh_site, _serve

NATIVE = "/api/v1/events"
SEGMENT = "/v1/batch"
_SEGMENT_TRACK = {
    "email_open": "Email Opened",
    "content_download": "Content Downloaded",
    "form_submit": "Form Submitted",
}


def _segment_batch(number: int, size: int = 1000) -> bytes:
    """The native batch ``number`` as Segment messages (ids kept apart from the native ones)."""
    messages = []
    for event in json.loads(_batch(number, size))["events"]:
        message = {
            "messageId": f"seg-{event['event_id']}",
            "anonymousId": event["anonymous_id"],
            "timestamp": event["timestamp"],
            "context": {"page": {"url": event["url"]}},
        }
        if event["type"] == "page_view":
            message |= {"type": "page", "name": "Page"}
        else:
            message |= {"type": "track", "event": _SEGMENT_TRACK[event["type"]]}
        if "email" in event:
            message["context"]["traits"] = {"email": event["email"]}
        messages.append(message)
    return json.dumps({"batch": messages, "sentAt": messages[-1]["timestamp"]}).encode()


def _send(port: int, path: str, headers: dict[str, str], body: bytes) -> float:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}: {payload[:300]!r}")
    return time.perf_counter() - started


def _headers(path: str, token: str, *, gzipped: bool) -> dict[str, str]:
    if path == NATIVE:
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    headers = {
        "Authorization": "Basic " + base64.b64encode(f"{token}:".encode()).decode(),
        "Content-Type": "application/json",
    }
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return headers


def _bodies(path: str, batches: int, size: int, *, gzipped: bool) -> list[bytes]:
    if path == NATIVE:
        return [_batch(n, size) for n in range(batches)]
    plain = (_segment_batch(n, size) for n in range(batches))
    return [gzip.compress(b) if gzipped else b for b in plain]


def _wait_for(port: int, seconds: float = 180) -> None:
    """On a loaded machine the server may take longer to start than _serve waits."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def measure(opts: argparse.Namespace) -> None:
    """One path against one fresh site (in its own process, so that its children are
    only the server): prints seconds and the server's peak memory as JSON."""
    env = json.loads(os.environ["BENCH_SITE_ENV"])
    token = os.environ["BENCH_TOKEN"]
    path = opts.measure
    headers = _headers(path, token, gzipped=opts.gzip)
    bodies = _bodies(path, opts.batches, opts.size, gzipped=opts.gzip)
    warm = _bodies(path, 10_001, 100, gzipped=opts.gzip)[-1:]
    port, server = _serve(env, opts.workers)
    try:
        _wait_for(port)
        _send(port, path, headers, warm[0])  # imports, connections, the event-name mapping
        started = time.perf_counter()
        with ThreadPoolExecutor(opts.clients) as pool:
            list(pool.map(lambda b: _send(port, path, headers, b), bodies))
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}))


def _database(server_url: str, name: str, *, create: bool = True, template: str = "") -> str:
    """A fresh database ``name`` on the server of ``server_url``, a copy of ``template``
    if given (or, with ``create=False``, drop it)."""
    import psycopg

    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _template(opts: argparse.Namespace) -> tuple[dict[str, str], str, str]:
    """One migrated site with its ingest token, copied for every measurement (migrating
    each time would take longer than the measurements on a loaded machine)."""
    name = f"revloop_bench_segment_{os.getpid()}_template"
    url = _database(opts.database_url, name, create=True) if opts.database_url else ""
    env, token = _fresh_site("revloop-bench-segment-", url)
    return env, token, name


def _one(
    opts: argparse.Namespace, template: tuple[dict[str, str], str, str], path: str, run: int
) -> dict[str, float]:
    base_env, token, template_name = template
    name = f"revloop_bench_segment_{os.getpid()}_{run}_{'seg' if path == SEGMENT else 'native'}"
    home = tempfile.mkdtemp(prefix="revloop-bench-segment-")
    shutil.copytree(base_env["REVLOOP_HOME"], home, dirs_exist_ok=True)
    env = {**base_env, "REVLOOP_HOME": home}
    if opts.database_url:
        env["DATABASE_URL"] = _database(opts.database_url, name, template=template_name)
    try:
        argv = [sys.executable, __file__, "--measure", path]
        argv += ["--batches", str(opts.batches), "--size", str(opts.size)]
        argv += ["--clients", str(opts.clients), "--workers", str(opts.workers)]
        argv += ["--gzip"] if opts.gzip else []
        done = subprocess.run(
            argv,
            env={**os.environ, "BENCH_SITE_ENV": json.dumps(env), "BENCH_TOKEN": token},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{path} run {run} failed:\n{done.stderr[-2000:]}")
        figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return figures
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if opts.database_url:
            _database(opts.database_url, name, create=False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--size", type=int, default=500, help="events per batch")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--gzip", action="store_true", help="send the Segment batches gzipped")
    parser.add_argument("--measure", choices=(NATIVE, SEGMENT), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.measure:
        measure(opts)
        return

    loads = [os.getloadavg()[0]]
    runs: dict[str, list[dict[str, float]]] = {NATIVE: [], SEGMENT: []}
    template = _template(opts)
    try:
        for run in range(opts.runs):
            order = (NATIVE, SEGMENT) if run % 2 == 0 else (SEGMENT, NATIVE)
            for path in order:
                runs[path].append(_one(opts, template, path, run))
                loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(template[0]["REVLOOP_HOME"], ignore_errors=True)
        if opts.database_url:
            _database(opts.database_url, template[2], create=False)

    events = opts.batches * opts.size
    database = "postgresql" if opts.database_url else "sqlite"
    print(
        f"{database}: {opts.runs} runs of {opts.batches} batches of {opts.size:,} events, "
        f"{opts.clients} clients, gunicorn {opts.workers} workers"
        + (", Segment gzipped" if opts.gzip else "")
    )
    print(
        f"load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores "
        f"({'loaded' if max(loads) >= (os.cpu_count() or 1) * 0.5 else 'quiet'})"
    )
    print(f"{'path':<16}{'events/s':>10}{'peak MiB':>10}  each run (events/s, MiB)")
    for path, figures in runs.items():
        rates = [events / f["seconds"] for f in figures]
        peaks = [f["peak_mib"] for f in figures]
        each = ", ".join(f"{r:,.0f}/{p:.0f}" for r, p in zip(rates, peaks, strict=True))
        print(
            f"{path:<16}{statistics.median(rates):>10,.0f}{statistics.median(peaks):>10.0f}  {each}"
        )


if __name__ == "__main__":
    main()
