"""``revloop worker [--once]``: run periodic jobs and queued tasks until stopped."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from revloop.core.commands import RevloopCommand
from revloop.worker.loop import Pass, Worker, quiet_task_logs
from revloop.worker.registry import QUEUES


class Command(RevloopCommand):
    help = (
        "Run the background worker: periodic jobs (SLA sweeps, nightly rescore, weekly "
        "retraining) and queued tasks (webhooks, rescoring). Stops cleanly on SIGTERM/SIGINT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--once", action="store_true", help="run what is due now, then exit (cron, tests)"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="most seconds between looks at the schedule (REVLOOP_WORKER_INTERVAL, 5); "
            "it also looks at the next slot or SLA deadline, at most once a second",
        )
        parser.add_argument(
            "--queues",
            default=",".join(QUEUES),
            help=f"comma-separated queues to serve (default: {','.join(QUEUES)})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet_task_logs(options["verbosity"])
        interval = options["interval"] or settings.REVLOOP_WORKER_INTERVAL
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()]
        try:
            worker = Worker(interval=interval, queues=queues)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["once"]:
            done = worker.run_once()
        else:
            if threading.current_thread() is threading.main_thread():
                self._stop_on_signals(worker)
            if not options["as_json"]:
                self.stderr.write(f"worker {worker.worker_id} running (Ctrl-C stops)")
            done = worker.run()
        self.emit(done.to_dict(), options, lambda: self._human(done))

    def _stop_on_signals(self, worker: Worker) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def _human(self, done: Pass) -> None:
        for claimed in done.claimed:
            self.stdout.write(
                f"ran {claimed.job} (due {claimed.slot:%Y-%m-%d %H:%M:%S}, {claimed.queue})"
            )
        ran = ", ".join(f"{queue}: {n}" for queue, n in done.tasks.items())
        self.stdout.write(f"tasks run: {ran or 'none'}")
