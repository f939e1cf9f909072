"""The background worker: how late SLA deadlines and due jobs are noticed, how often it
looks, and how fast webhooks go out.

    python benchmarks/bench_worker.py [--seconds 40] [--clocks 300] [--deliveries 500]
        [--leads 2000] [--home DIR] [--database-url postgres://…/empty_db]

On a seeded demo (``--leads``, or ``--home DIR`` already seeded; on PostgreSQL an empty
database the demo is seeded into):

- ``--clocks`` running SLA clocks are given deadlines spread at random over the run
  (their reminders cleared), then `revloop worker`'s loop runs in-process for
  ``--seconds`` with its default 5 s interval on the default queue, with a job due every
  10 s beside the demo's own. It reports how long after each deadline the breach was
  noticed (``SlaBreach.detected_at - due_at``), how late each run of the 10 s job
  started after its slot, and how many times a second the worker looked at the schedule;
- the cost of one look at the schedule;
- ``--deliveries`` webhook events emitted outside a transaction and sent by one
  `worker --once` to a local HTTP receiver: deliveries per second, signing included.
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import benchkit


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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _spread_deadlines(count: int, seconds: float, seed: int) -> list[int]:
    """Give ``count`` running clocks deadlines at random moments of the run ahead."""
    import random

    from django.utils import timezone

    from revloop.routing.models import SlaClock

    rng = random.Random(seed)
    # One clock per lead: a breach re-assigns the lead and stops its other clocks.
    first: dict[int, int] = {}
    for pk, person in (
        SlaClock.objects.filter(stopped_at__isnull=True, breached_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "person_id")
    ):
        first.setdefault(person, pk)
    open_clocks = sorted(first.values())[:count]
    start = timezone.now() + timedelta(seconds=2)
    span = max(1.0, seconds - 6.0)
    for pk in open_clocks:
        due = start + timedelta(seconds=rng.uniform(0, span))
        # A benchmark's own set-up of the clocks, as a test fixture would.
        SlaClock.objects.filter(pk=pk).update(due_at=due, remind_at=None)
    # The rest are pushed past the run, so only the chosen deadlines fall due in it.
    SlaClock.objects.filter(
        stopped_at__isnull=True, breached_at__isnull=True, due_at__lt=start + timedelta(hours=1)
    ).exclude(pk__in=open_clocks).update(due_at=start + timedelta(days=30), remind_at=None)
    return open_clocks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--clocks", type=int, default=300)
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--home", default="")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with benchkit.demo_home(args.leads, args.home, args.database_url) as home:
        run(args, home)


def run(args: argparse.Namespace, home: str) -> None:
    benchkit.setup_django(home, args.database_url)
    from django.utils import timezone

    from revloop.routing.models import SlaBreach
    from revloop.webhooks.actions import emit
    from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint
    from revloop.worker.loop import Worker, quiet_task_logs
    from revloop.worker.models import JobRun
    from revloop.worker.registry import periodic
    from revloop.worker.schedule import claim_due_jobs

    quiet_task_logs()
    state_before = benchkit.machine_state()

    @periodic(every=timedelta(seconds=10), name="bench.tick", start_at_once=False)
    def tick(now: datetime) -> None:
        return None

    clocks = _spread_deadlines(args.clocks, args.seconds, args.seed)
    worker = Worker(interval=5.0, queues=("default",))
    looks: list[float] = []
    real_tick = worker._tick

    def counted(**kwargs: Any) -> Any:
        looks.append(time.monotonic())
        return real_tick(**kwargs)

    worker._tick = counted  # type: ignore[method-assign]
    began = timezone.now()
    thread = threading.Thread(target=worker.run)
    thread.start()
    time.sleep(args.seconds)
    worker.stop()
    thread.join()
    late = [
        (run.started_at - run.slot).total_seconds()
        for run in JobRun.objects.filter(job="bench.tick", slot__gte=began)
    ]
    noticed = [
        (breach.detected_at - breach.due_at).total_seconds()
        for breach in SlaBreach.objects.filter(clock_id__in=clocks)
    ]
    gaps = [b - a for a, b in itertools.pairwise(looks)]

    started = time.perf_counter()
    repeat = 50
    for _ in range(repeat):
        claim_due_jobs(worker="bench", queues=("webhooks",))
    look_ms = (time.perf_counter() - started) / repeat * 1000

    server, got = _receiver()
    endpoint = WebhookEndpoint.objects.create(
        url=f"http://127.0.0.1:{server.server_address[1]}/hook",
        events=["lead.assigned"],
        allow_private=True,  # the receiver is on loopback
    )
    started = time.perf_counter()
    for n in range(args.deliveries):
        emit("lead.assigned", text=f"lead {n} assigned", data={"person_id": n})
    emit_s = time.perf_counter() - started
    started = time.perf_counter()
    Worker(queues=("webhooks",)).run_once()
    send_s = time.perf_counter() - started
    delivered = WebhookDelivery.objects.filter(status="delivered", endpoint=endpoint).count()
    server.shutdown()

    def spread(values: list[float]) -> str:
        if not values:
            return "-"
        return (
            f"p50 {_percentile(values, 0.5):.3f} s, p99 {_percentile(values, 0.99):.3f} s, "
            f"max {max(values):.3f} s"
        )

    rows = [
        ("database", args.database_url.split("@")[-1] or "SQLite (file, WAL)"),
        ("worker ran for", f"{args.seconds:.0f} s, interval 5 s, default queue"),
        ("deadlines a second", f"{len(clocks) / max(1.0, args.seconds - 6.0):.1f}"),
        ("deadlines in the run", f"{len(clocks)}, breaches noticed {len(noticed)}"),
        ("breach noticed after its deadline", spread(noticed)),
        ("runs of the 10 s job", f"{len(late)}"),
        ("job started after its slot", spread(late)),
        (
            "looks at the schedule",
            (
                f"{len(looks)} = {len(looks) / args.seconds:.2f}/s; "
                f"shortest gap {min(gaps, default=0):.3f} s"
            ),
        ),
        ("one look at the schedule", f"{look_ms:.1f} ms"),
        ("webhook events emitted", f"{args.deliveries} in {emit_s:.2f} s"),
        (
            "webhooks sent (one worker)",
            f"{delivered}/{len(got)} in {send_s:.2f} s = {delivered / send_s:,.0f}/s",
        ),
        ("peak memory (this process)", f"{benchkit.peak_mib():,.0f} MiB"),
        ("machine", f"{state_before} at the start; {benchkit.machine_state()} at the end"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"(home {home})")


if __name__ == "__main__":
    main()
