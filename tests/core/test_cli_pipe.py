"""The console script behaves like a Unix tool when its reader goes away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    """`revloop … | head -1` prints no traceback when head has stopped reading."""
    env = {**os.environ, "REVLOOP_HOME": str(tmp_path)}
    code = "import sys; from revloop.cli import main; main(sys.argv[1:])"
    read_end, write_end = os.pipe()
    # The reader is gone before the command writes a byte, as when `head` has exited.
    os.close(read_end)
    try:
        proc = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code, "diffsettings", "--all"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in proc.stderr
    assert "BrokenPipeError" not in proc.stderr
    assert proc.returncode == 1
