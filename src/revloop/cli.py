"""The ``revloop`` console script: a thin wrapper over Django's management commands."""

from __future__ import annotations

import os
import sys

#: What asks for revloop's own list of commands rather than Django's (so does nothing).
HELP = frozenset({"--help", "-h", "help"})


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (len(args) == 1 and args[0] in HELP):
        from revloop.cli_help import usage

        sys.stdout.write(usage())
        return
    if args[:1] == ["django"]:
        # Django's own commands, its full list included (`revloop django --help`).
        args = args[1:] or ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revloop.settings")
    if args[:1] == ["attribution"] and any(a.split("=")[0] == "--paths" for a in args):
        # A path file needs no database: the command runs without setting Django up,
        # whose apps' imports are most of a cold start.
        from revloop.analytics.management.commands.attribution import Command

        Command().run_from_argv(["revloop", *args])
        return
    if args[:1] == ["demo"]:
        # The demo serves plain http on loopback; production keeps the strict default.
        os.environ.setdefault("REVLOOP_HTTPS", "false")
    from django.db import DatabaseError, InterfaceError

    from revloop.core.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["revloop", *args])
    except ConfigError as exc:
        sys.stderr.write(f"revloop: configuration error: {exc}\n")
        sys.exit(2)
    except BrokenPipeError:
        # The reader went away (`revloop … | head`): stop quietly, as other Unix tools do.
        # Pointing stdout at /dev/null keeps the interpreter's final flush from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except (DatabaseError, InterfaceError) as exc:
        from revloop.core.database import database_unavailable

        if (gone := database_unavailable(exc)) is not None:
            sys.stderr.write(f"revloop: {gone.message}\n")
            sys.exit(gone.exit_code)
        # Most often a database that was never migrated.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"revloop: database error: {first} (has `revloop migrate` run?)\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
