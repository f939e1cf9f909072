"""`revloop demo --no-serve` on the embedded default: set up, seed, print logins, reuse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REVLOOP = Path(sys.executable).with_name("revloop")


def _revloop(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["REVLOOP_HOME"] = str(home)
    return subprocess.run(  # noqa: S603 - our own console script
        [str(REVLOOP), *args], env=env, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.mark.slow
def test_demo_sets_up_seeds_and_then_reuses(tmp_path: Path) -> None:
    first = _revloop(tmp_path, "demo", "--no-serve", "--leads", "300", "--seed", "5")
    assert first.returncode == 0, first.stderr
    assert "Seeded 300 leads" in first.stderr
    assert "revloop-demo" in first.stdout  # the printed logins
    assert "sales_rep" in first.stdout
    assert (tmp_path / "revloop.sqlite3").exists()

    second = _revloop(tmp_path, "demo", "--no-serve", "--leads", "300")
    assert second.returncode == 0, second.stderr
    assert "reusing it" in second.stderr
    assert "Seeded" not in second.stderr

    stats = json.loads(_revloop(tmp_path, "stats", "--json").stdout)
    assert stats["people"] == 300


def test_a_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    env = {"REVLOOP_HOME": str(tmp_path), "REVLOOP_DEBUG": "perhaps", "PATH": os.environ["PATH"]}
    out = subprocess.run(  # noqa: S603
        [str(REVLOOP), "stats"], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "revloop: configuration error: REVLOOP_DEBUG='perhaps' is not a boolean "
        "(use true/false, 1/0, yes/no, on/off)"
    )
