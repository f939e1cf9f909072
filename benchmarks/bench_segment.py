"""Throughput of the Segment batch path (/v1/batch) next to the native one (/api/v1/events).

    python benchmarks/bench_segment.py [--batches 10] [--clients 2] [--workers 2]
                                       [--database-url postgres://…/empty_db] [--gzip]

Starts `revloop serve` on a fresh database, then sends the same mix of events (a
tenth identify a person by email, the rest are anonymous or known visitors) as
batches of 1,000: first to the native events API, and, with new ids, as Segment
track and page calls, in alternating rounds. Prints events/s for both. The machine's load changes the
figures; say whether it was quiet when quoting them.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import http.client
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_events_api import _batch, _fresh_site, _serve

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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--gzip", action="store_true", help="send the Segment batches gzipped")
    opts = parser.parse_args()

    env, token = _fresh_site("revloop-bench-segment-", opts.database_url)
    native_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    segment_headers = {
        "Authorization": "Basic " + base64.b64encode(f"{token}:".encode()).decode(),
        "Content-Type": "application/json",
    }
    if opts.gzip:
        segment_headers["Content-Encoding"] = "gzip"
    runs = {
        "/api/v1/events": (native_headers, [_batch(n) for n in range(opts.batches)]),
        "/v1/batch": (
            segment_headers,
            [
                gzip.compress(body) if opts.gzip else body
                for body in (_segment_batch(n) for n in range(opts.batches))
            ],
        ),
    }
    port, server = _serve(env, opts.workers)
    try:
        # Warm-up on both paths: imports, connections, the event-name mapping.
        _send(port, "/api/v1/events", native_headers, _batch(10_000, 100))
        warm = _segment_batch(10_001, 100)
        _send(port, "/v1/batch", segment_headers, gzip.compress(warm) if opts.gzip else warm)
        # Two rounds, each path in turn, so neither gains from going second (a warmer
        # server) or loses from it (a bigger database).
        totals = dict.fromkeys(runs, 0.0)
        for round_ in range(2):
            for path, (headers, bodies) in runs.items():
                started = time.perf_counter()
                with ThreadPoolExecutor(opts.clients) as pool:
                    list(
                        pool.map(
                            lambda b, h=headers, p=path: _send(port, p, h, b), bodies[round_::2]
                        )
                    )
                totals[path] += time.perf_counter() - started
        rows = [(path, 1000 * opts.batches, totals[path]) for path in runs]
    finally:
        server.terminate()
        server.wait(timeout=30)

    database = "postgresql" if opts.database_url else "sqlite"
    load = os.getloadavg()[0]
    print(
        f"batches of 1,000, {opts.clients} clients, gunicorn {opts.workers} workers, {database}, "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'path':<18}{'events':>10}{'seconds':>10}{'events/s':>10}")
    for path, events, seconds in rows:
        print(f"{path:<18}{events:>10,}{seconds:>10.1f}{events / seconds:>10,.0f}")


if __name__ == "__main__":
    main()
