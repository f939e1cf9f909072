"""The background worker: how late a due job runs, and how fast webhooks go out.

    python benchmarks/bench_worker.py [--seconds 40] [--deliveries 500] [--database-url postgres://…]

In a fresh REVLOOP_HOME (SQLite) or an empty PostgreSQL database:

- runs `revloop worker` in-process for ``--seconds`` with the default 5 s interval and
  a job due every 10 s, and reports how late each run started after its slot (the
  SLA sweeps need a breach noticed within 60 s of the deadline);
- the cost of one look at the schedule when nothing is due (what every tick pays);
- ``--deliveries`` webhook events emitted outside a transaction and sent by one
  `worker --once` to a local HTTP receiver: deliveries per second, signing included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def _receiver() -> tuple[ThreadingHTTPServer, list[int]]:
    got: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            got.append(1)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, got


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="revloop-bench-worker-")
    os.environ["REVLOOP_HOME"] = home
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "revloop.settings"
    revloop = Path(sys.executable).parent / "revloop"
    subprocess.run([str(revloop), "migrate", "-v0"], check=True)

    import django

    django.setup()
    from django.utils import timezone

    from revloop.webhooks.actions import emit
    from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint
    from revloop.worker.loop import Worker, quiet_task_logs
    from revloop.worker.models import JobRun
    from revloop.worker.registry import periodic
    from revloop.worker.schedule import claim_due_jobs

    quiet_task_logs()

    @periodic(every=timedelta(seconds=10), name="bench.tick")
    def tick(now: datetime) -> None:
        return None

    worker = Worker(interval=5.0)
    thread = threading.Thread(target=worker.run)
    thread.start()
    time.sleep(args.seconds)
    worker.stop()
    thread.join()
    late = [
        (run.started_at - run.slot).total_seconds()
        for run in JobRun.objects.filter(job="bench.tick")
    ]

    started = time.perf_counter()
    looks = 50
    for _ in range(looks):
        claim_due_jobs(worker="bench", queues=("webhooks",))
    look_ms = (time.perf_counter() - started) / looks * 1000

    server, got = _receiver()
    WebhookEndpoint.objects.create(
        url=f"http://127.0.0.1:{server.server_address[1]}/hook", events=["lead.assigned"]
    )
    started = time.perf_counter()
    for n in range(args.deliveries):
        emit("lead.assigned", text=f"lead {n} assigned", data={"person_id": n})
    emit_s = time.perf_counter() - started
    started = time.perf_counter()
    Worker(queues=("webhooks",)).run_once()
    send_s = time.perf_counter() - started
    delivered = WebhookDelivery.objects.filter(status="delivered").count()
    server.shutdown()

    rows = [
        ("database", args.database_url.split("@")[-1] or "SQLite (file, WAL)"),
        ("worker ran for", f"{args.seconds:.0f} s, interval 5 s, job every 10 s"),
        ("runs of the job", f"{len(late)}"),
        ("lateness after slot, mean", f"{statistics.mean(late):.2f} s" if late else "-"),
        ("lateness after slot, max", f"{max(late):.2f} s" if late else "-"),
        ("one look at the schedule", f"{look_ms:.1f} ms"),
        ("webhook events emitted", f"{args.deliveries} in {emit_s:.2f} s"),
        (
            "webhooks sent (one worker)",
            f"{delivered}/{len(got)} in {send_s:.2f} s = {delivered / send_s:,.0f}/s",
        ),
        ("finished", timezone.now().isoformat(timespec="seconds")),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"(home {home})")


if __name__ == "__main__":
    main()
