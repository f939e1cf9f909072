"""``revloop demo``: set up the embedded database, seed the demo company, serve."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import IO, Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.core.errors import InvalidInputError
from revloop.core.server import serve
from revloop.demo.answers import demo_answers
from revloop.demo.answers_table import print_answers
from revloop.demo.seed import DEMO_PASSWORD, ensure_demo_users, is_empty, seed_demo
from revloop.predictions.actions import do_train_model
from revloop.predictions.models import PredictiveModel
from revloop.users.models import User


class Command(RevloopCommand):
    help = (
        "Create the database, seed a demo company if it is empty, print logins and serve; "
        "`revloop demo answers` prints what the demo generator planted (the answer key)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            choices=("answers",),
            help="answers: print the seeded demo's answer key instead of serving",
        )
        add_json_flag(parser)
        # 15,000 leads make about 220 decided customers: enough history for the
        # predictive model to beat the baseline clearly (5,000 make about 60, and the
        # verdict is then noise).
        parser.add_argument("--leads", type=int, default=15_000, help="leads to generate (15,000)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")
        parser.add_argument(
            "--no-worker", action="store_true", help="serve without the background worker"
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "answers":
            self._answers(options["as_json"])
            return
        if not options["no_serve"]:
            self._set_up_then_serve(options)
            return
        console = Console(stderr=True)
        console.print(f"[bold]revloop demo[/] · database: {_describe_database()}")
        call_command("migrate", interactive=False, verbosity=0)
        if is_empty():
            self._seed(console, options["leads"], options["seed"])
        else:
            console.print("The database already holds data: reusing it.")
            ensure_demo_users()
        if not PredictiveModel.objects.filter(active=True).exists():
            self._train(console)
        self._print_logins()

    def _answers(self, as_json: bool) -> None:
        answers = demo_answers()
        if as_json:
            self.stdout.write(json.dumps(answers, indent=2))
        else:
            # Django's OutputWrapper writes text as a file does; typeshed's IO is stricter.
            print_answers(answers, Console(file=cast("IO[str]", self.stdout), width=120))

    def _set_up_then_serve(self, options: dict[str, Any]) -> None:
        # gunicorn forks its web workers from this process. Seeding and scoring run
        # polars, whose thread pool does not survive a fork (a forked worker hangs on
        # its first frame), so the set-up and the background worker run in processes
        # of their own and this one only serves.
        here = [sys.executable, "-m", "revloop.cli"]
        setup = [*here, "demo", "--no-serve", "--leads", str(options["leads"])]
        done = subprocess.run([*setup, "--seed", str(options["seed"])], check=False)  # noqa: S603
        if done.returncode:
            raise CommandError("setting up the demo failed (see above)")
        call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([*here, "worker"])  # noqa: S603 - our own command
        Console(stderr=True).print(
            f"Serving on http://{options['host']}:{options['port']}/ (Ctrl-C stops)"
        )
        try:
            serve(options["host"], options["port"], workers=2, threads=4)
        finally:
            if worker is not None:
                worker.terminate()  # SIGTERM: the worker finishes what it runs, then stops
                worker.wait(timeout=60)

    def _seed(self, console: Console, leads: int, seed: int) -> None:
        if leads < 1:
            raise CommandError("--leads must be at least 1")
        columns = (
            TextColumn("Seeding demo company"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("leads"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("seed", total=leads)
            result = seed_demo(
                leads=leads,
                seed=seed,
                now=timezone.now(),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        console.print(
            f"Seeded {result.leads:,} leads ({result.rows:,} rows) in {result.seconds:.1f} s "
            f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s)."
        )

    def _train(self, console: Console) -> None:
        # Every page's "Chance to win" comes from the active model. It is activated
        # only if it beats the baseline; if not, the reason is printed, not hidden.
        try:
            stored = do_train_model(trigger="seed")
        except InvalidInputError as exc:
            console.print(f"No predictive model: {exc.message}")
            return
        reason = stored.evaluation["activation"]["reason"]
        console.print(
            f"Predictive model ({stored.algorithm}, {stored.rows:,} decided people): {reason}"
        )

    def _print_logins(self) -> None:
        table = Table(title="Demo logins", caption=f"password for every demo user: {DEMO_PASSWORD}")
        table.add_column("username")
        table.add_column("role")
        table.add_column("team")
        for user in User.objects.filter(groups__isnull=False).distinct().order_by("id"):
            roles = ", ".join(g.name for g in user.groups.all())
            table.add_row(user.username, roles, user.team)
        Console().print(table)


def _describe_database() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"SQLite {db['NAME']}"
    return f"{connection.vendor} {db.get('HOST') or 'local'}/{db['NAME']}"
