"""Settings come from the environment and refuse values they cannot use."""

from __future__ import annotations

import subprocess
import sys

import pytest

from revloop.core.env import ConfigError, envbool, envint, envlist


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("", False),
    ],
)
def test_envbool_reads_common_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert envbool("X_FLAG", default=not expected) is expected


def test_envbool_uses_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_FLAG", raising=False)
    assert envbool("X_FLAG", default=True) is True


def test_envbool_refuses_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG='maybe' is not a boolean"):
        envbool("X_FLAG", default=False)


def test_envint_checks_type_and_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_N", "12")
    assert envint("X_N", 1) == 12
    monkeypatch.setenv("X_N", "twelve")
    with pytest.raises(ConfigError, match="not an integer"):
        envint("X_N", 1)
    monkeypatch.setenv("X_N", "-3")
    with pytest.raises(ConfigError, match="at least 0"):
        envint("X_N", 1, minimum=0)


def test_envlist_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,, ")
    assert envlist("X_HOSTS", []) == ["a.example", "b.example"]


def _settings_in_subprocess(
    env: dict[str, str], expression: str
) -> subprocess.CompletedProcess[str]:
    code = f"import revloop.settings as s; print(repr(({expression})))"
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_database_url_selects_postgres(tmp_path: pytest.TempPathFactory) -> None:
    env = {
        "REVLOOP_HOME": str(tmp_path),
        "DATABASE_URL": "postgres://u:p@db.example:5433/rl",
        "PATH": "",
    }
    db = "s.DATABASES['default']"
    out = _settings_in_subprocess(env, f"{db}['ENGINE'], {db}['HOST'], {db}['PORT']")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "('django.db.backends.postgresql', 'db.example', 5433)"


def test_default_database_is_sqlite_under_revloop_home(tmp_path: pytest.TempPathFactory) -> None:
    out = _settings_in_subprocess({"REVLOOP_HOME": str(tmp_path)}, "s.DATABASES['default']['NAME']")
    assert out.stdout.strip() == repr(str(tmp_path / "revloop.sqlite3"))


def test_secret_key_is_generated_once_and_kept_private(tmp_path: pytest.TempPathFactory) -> None:
    env = {"REVLOOP_HOME": str(tmp_path)}
    first = _settings_in_subprocess(env, "s.SECRET_KEY").stdout
    second = _settings_in_subprocess(env, "s.SECRET_KEY").stdout
    assert first == second
    assert len(first.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_short_secret_key_is_refused(tmp_path: pytest.TempPathFactory) -> None:
    out = _settings_in_subprocess(
        {"REVLOOP_HOME": str(tmp_path), "REVLOOP_SECRET_KEY": "short"}, "1"
    )
    assert out.returncode != 0
    assert "REVLOOP_SECRET_KEY must be at least 50 characters" in out.stderr


def test_production_defaults_are_strict(tmp_path: pytest.TempPathFactory) -> None:
    out = _settings_in_subprocess(
        {"REVLOOP_HOME": str(tmp_path)},
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0",
    )
    assert out.stdout.strip() == "(False, True, True, True)"


def test_check_deploy_is_clean_when_debug_is_off(tmp_path: pytest.TempPathFactory) -> None:
    env = {
        "REVLOOP_HOME": str(tmp_path),
        "REVLOOP_SECRET_KEY": "k" * 20 + "-Z9x!q" * 8,
        "DJANGO_SETTINGS_MODULE": "revloop.settings",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "revloop.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_a_database_that_was_never_migrated_is_one_line_on_stderr(
    tmp_path: pytest.TempPathFactory,
) -> None:
    """No traceback: the reason, and what to run."""
    out = subprocess.run(
        [sys.executable, "-m", "revloop.cli", "stats", "--json"],
        env={"REVLOOP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith("revloop: database error: no such table")
    assert out.stderr.count("\n") == 1
    assert "revloop migrate" in out.stderr
