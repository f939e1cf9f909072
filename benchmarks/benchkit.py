"""What the benchmarks here share: the machine's state, timings, peak memory, tables,
a seeded demo company and a served site.

A script in this folder imports it as ``import benchkit`` (Python puts the script's own
folder first on the path). Figures depend on how busy the shared machine is, so every
table ends with :func:`machine_state`'s line.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
REVLOOP = str(BIN / "revloop")


# -- profiles ----------------------------------------------------------------------------


@contextlib.contextmanager
def flame_graph(path: str | Path | None, pid: int | None = None, rate: int = 100) -> Iterator[None]:
    """Sample ``pid`` (this process by default) with py-spy while the block runs and write
    a flame graph (SVG) to ``path``; nothing when ``path`` is None.

    py-spy (a dev dependency) reads the process from outside, so the figures timed in
    the block are not the ones to quote: time first, profile in a separate pass.
    """
    if path is None:
        yield
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    spy = subprocess.Popen(
        [
            str(BIN / "py-spy"),
            "record",
            "--pid",
            str(pid or os.getpid()),
            "--rate",
            str(rate),
            "--subprocesses",
            "--nonblocking",
            "--output",
            str(target),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)  # py-spy attaches before the work starts
    try:
        yield
    finally:
        spy.send_signal(2)  # SIGINT: py-spy writes the graph and exits
        _, err = spy.communicate(timeout=120)
        if not target.exists():
            print(f"no flame graph written to {target}: {err.decode()[-300:]}", file=sys.stderr)


# -- the machine -------------------------------------------------------------------------


def loaded() -> bool:
    """Whether the one-minute load average exceeds half the cores (the README's "loaded")."""
    return os.getloadavg()[0] > (os.cpu_count() or 1) / 2


def machine_state() -> str:
    one, five, _ = os.getloadavg()
    cores = os.cpu_count() or 1
    return (
        f"load average {one:.1f} (5 min {five:.1f}) on {cores} cores: "
        f"{'loaded' if loaded() else 'quiet'}"
    )


# -- time and memory ---------------------------------------------------------------------


@dataclass
class Timing:
    """Seconds of each run; the median is the figure a table reports."""

    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def low(self) -> float:
        return min(self.runs)

    @property
    def high(self) -> float:
        return max(self.runs)

    def ms(self) -> tuple[float, float, float]:
        """Median, min and max in milliseconds."""
        return self.median * 1000, self.low * 1000, self.high * 1000


def time_runs(run: Callable[[], object], repeat: int, warm: bool = True) -> Timing:
    """``run`` timed ``repeat`` times, after one untimed call when ``warm``."""
    if warm:
        run()
    timing = Timing()
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timing.runs.append(time.perf_counter() - started)
    return timing


def peak_mib(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), MiB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and every live descendant (Linux ``/proc``)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            # The parent is the second field after the parenthesised command name.
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, []))
    return tree


class TreeMemory:
    """Samples the resident memory of a process and its descendants in a thread.

    ``peak_total_mib`` is the largest sum seen at one sample (what the machine had to
    hold); ``peak_process_mib`` the largest single process's own high-water mark.
    """

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid = pid
        self.every = every
        self.peak_total_mib = 0.0
        self.peak_process_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        pids = process_tree(self.pid)
        total = sum(_status_kib(p, "VmRSS") for p in pids) / 1024
        self.peak_total_mib = max(self.peak_total_mib, total)
        for p in pids:
            self.peak_process_mib = max(self.peak_process_mib, _status_kib(p, "VmHWM") / 1024)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


# -- tables ------------------------------------------------------------------------------


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A left-aligned first column and right-aligned others; floats to one decimal."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in text)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = [v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    print(line(list(headers)))
    print("-" * len(line(list(headers))))
    for row in text:
        print(line(row))


# -- a demo company and a served site ----------------------------------------------------


def add_demo_arguments(parser: argparse.ArgumentParser, leads: int, repeat: int) -> None:
    """``--leads``, ``--home`` (reuse a seeded REVLOOP_HOME) and ``--repeat``."""
    parser.add_argument("--leads", type=int, default=leads, help="size of the demo to seed")
    parser.add_argument("--home", default="", help="a REVLOOP_HOME seeded by an earlier run")
    parser.add_argument("--repeat", type=int, default=repeat, help="timed runs (median)")


def site_env(home: str, database_url: str = "") -> dict[str, str]:
    """The environment of the ``revloop`` commands of a site in ``home``."""
    env = {**os.environ, "REVLOOP_HOME": home, "REVLOOP_HTTPS": "false"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def revloop(env: dict[str, str], *args: str) -> str:
    """Runs ``revloop ARGS`` and returns what it printed; fails loudly."""
    return subprocess.run(
        [REVLOOP, *args], env=env, capture_output=True, text=True, check=True
    ).stdout


@contextlib.contextmanager
def demo_home(leads: int, home: str = "", database_url: str = "") -> Iterator[str]:
    """A REVLOOP_HOME with a seeded demo: ``home`` as given, else a new one seeded now."""
    if home:
        yield home
        return
    with tempfile.TemporaryDirectory(prefix="revloop-bench-") as fresh:
        started = time.perf_counter()
        subprocess.run(
            [REVLOOP, "demo", "--no-serve", "--leads", str(leads)],
            check=True,
            env=site_env(fresh, database_url),
            stdout=subprocess.DEVNULL,
        )
        print(f"seeded {leads:,} leads in {time.perf_counter() - started:.0f} s", flush=True)
        yield fresh


def setup_django(home: str, database_url: str = "") -> None:
    """Django set up in this process on the site in ``home``."""
    os.environ["REVLOOP_HOME"] = home
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revloop.settings")
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(
    env: dict[str, str], workers: int, threads: int = 1, timeout: float = 60.0
) -> tuple[int, subprocess.Popen[bytes]]:
    """``revloop serve`` (gunicorn, as in production) on a free port, once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [
            REVLOOP,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"revloop serve exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return port, server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"revloop serve did not answer on port {port} in {timeout:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stops a server started by :func:`serve` and waits for it."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
