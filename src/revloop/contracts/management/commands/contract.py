"""``revloop contract``: validate, propose, diff, approve, withdraw, show and backtest versions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.contracts.actions import (
    diff_versions,
    do_approve_contract,
    do_propose_contract,
    do_withdraw_contract,
    validate_text,
)
from revloop.contracts.backtest import backtest
from revloop.contracts.queries import list_versions, version_detail
from revloop.core.commands import SubcommandCommand, add_json_flag, read_text_file
from revloop.users.commands import acting_user


class Command(SubcommandCommand):
    help = "The lead contract: validate a file, propose, diff, approve, show and backtest versions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser(
            "validate", help="check a contract file; errors name line and key"
        )
        validate.add_argument("file")
        proposal = sub.add_parser("propose", help="store FILE as a draft, with its diff")
        proposal.add_argument("file")
        proposal.add_argument("--note", default="", help="why (shown to the signers)")
        diff = sub.add_parser("diff", help="what changes from version V1 to V2")
        diff.add_argument("old")
        diff.add_argument("new")
        approval = sub.add_parser("approve", help="sign a draft (marketing or sales_manager)")
        approval.add_argument("version")
        withdrawal = sub.add_parser("withdraw", help="take a draft off the table")
        withdrawal.add_argument("version")
        withdrawal.add_argument("--note", default="")
        show = sub.add_parser("show", help="every version, or one (V) with its signatures")
        show.add_argument("version", nargs="?")
        test = sub.add_parser("backtest", help="replay a version over the last 12 months")
        test.add_argument("version")
        for subparser in sub.choices.values():
            add_json_flag(subparser)

    def _validate(self, options: dict[str, Any]) -> None:
        path, text = read_text_file(options["file"])
        errors = validate_text(text, path.name)
        result = {
            "file": str(path),
            "valid": not errors,
            "errors": [{"line": e.line, "path": e.path, "message": e.message} for e in errors],
        }

        def human() -> None:
            if errors:
                for error in errors:
                    self.stderr.write(str(error))
            else:
                self.stdout.write(f"{path} is a valid contract.")

        self.emit(result, options, human)
        if errors:
            raise CommandError(f"{len(errors)} error{'s' if len(errors) > 1 else ''} in {path}")

    def _propose(self, options: dict[str, Any]) -> None:
        path, text = read_text_file(options["file"])
        version = do_propose_contract(
            text, by=acting_user("proposing a contract"), source=path.name, note=options["note"]
        )
        detail = version_detail(version.number)

        def human() -> None:
            self.stdout.write(f"Proposed v{version.number} ({version.name}), a draft.")
            self.stdout.write(f"Changes from v{detail['base']}:\n{version.diff_text}")
            self.stdout.write(
                f"It takes effect once a marketing and a sales_manager user approve it:"
                f" REVLOOP_TOKEN=… revloop contract approve {version.number}"
            )

        self.emit(detail, options, human)

    def _diff(self, options: dict[str, Any]) -> None:
        result = diff_versions(options["old"], options["new"])
        self.emit(result, options, lambda: self.stdout.write(result["text"]))

    def _approve(self, options: dict[str, Any]) -> None:
        # A signature is a person's: the token's user signs, and the policy decides
        # whether they may.
        user = acting_user("approving a contract", required=True)
        assert user is not None
        outcome = do_approve_contract(options["version"], by=user)
        number = outcome.version.number
        result = {
            "version": number,
            "approved_by": user.username,
            "roles": outcome.approval.roles,
            "activated": outcome.activated,
            "missing_signatures": list(outcome.missing),
            "rescored": outcome.rescored,
        }

        def human() -> None:
            if outcome.activated:
                self.stdout.write(
                    f"v{number} is now the active contract; rescored {outcome.rescored:,} people."
                )
            else:
                self.stdout.write(
                    f"{user.username} approved v{number}; still needed: "
                    + ", ".join(outcome.missing)
                )

        self.emit(result, options, human)

    def _withdraw(self, options: dict[str, Any]) -> None:
        version = do_withdraw_contract(
            options["version"], by=acting_user("withdrawing a draft"), note=options["note"]
        )
        result = {"version": version.number, "status": version.status}
        self.emit(result, options, lambda: self.stdout.write(f"Withdrew v{version.number}."))

    def _show(self, options: dict[str, Any]) -> None:
        if options["version"] is None:
            listing = list_versions()
            self.emit(listing, options, lambda: self._print_versions(listing))
            return
        detail = version_detail(options["version"])
        self.emit(detail, options, lambda: self._print_version(detail))

    def _backtest(self, options: dict[str, Any]) -> None:
        result = backtest(options["version"])
        self.emit(result, options, lambda: self._print_backtest(result))

    def _print_versions(self, listing: dict[str, Any]) -> None:
        self.stdout.write(f"{'version':<8} {'status':<11} {'proposed':<17} {'by':<12} signed by")
        for v in listing["versions"]:
            signed = ", ".join(v["approved_by"]) or "-"
            missing = (
                f" (needs {', '.join(v['missing_signatures'])})" if v["missing_signatures"] else ""
            )
            self.stdout.write(
                f"v{v['number']:<7} {v['status']:<11} {v['proposed_at']:%Y-%m-%d %H:%M} "
                f"{v['proposed_by'] or 'revloop':<12} {signed}{missing}"
            )

    def _print_version(self, d: dict[str, Any]) -> None:
        self.stdout.write(f"v{d['number']} {d['name']} — {d['status']}")
        by = d["proposed_by"] or "revloop"
        self.stdout.write(f"proposed {d['proposed_at']:%Y-%m-%d %H:%M} by {by}")
        if d["note"]:
            self.stdout.write(f"note: {d['note']}")
        if d["base"] is not None:
            self.stdout.write(f"changes from v{d['base']}:\n{d['diff_text']}")
        for a in d["approvals"]:
            self.stdout.write(
                f"approved by {a['user']} ({', '.join(a['roles'])}) {a['at']:%Y-%m-%d %H:%M}"
            )
        if d["missing_signatures"]:
            self.stdout.write(f"still needs: {', '.join(d['missing_signatures'])}")
        for e in d["events"]:
            who = f" by {e['by']}" if e["by"] else ""
            note = f": {e['note']}" if e["note"] else ""
            self.stdout.write(f"{e['at']:%Y-%m-%d %H:%M} {e['kind']}{who}{note}")

    def _print_backtest(self, r: dict[str, Any]) -> None:
        window = r["window"]
        self.stdout.write(
            f"Backtest of v{r['version']['number']} against v{r['compared_with']['number']}"
            f" (active), {window['start']:%Y-%m-%d} to {window['end']:%Y-%m-%d},"
            f" {r['people']:,} people, {r['touches']:,} touches"
        )
        columns = (
            (f"v{r['version']['number']}", r["proposed"]),
            (f"v{r['compared_with']['number']} (active)", r["active"]),
            ("history", r["history"]),
        )
        self.stdout.write(f"{'':<22}" + "".join(f"{name:>16}" for name, _ in columns))
        for label, key, rate in (
            ("MQLs", "mqls", False),
            ("MQLs per week", "per_week", False),
            ("accepted by Sales", "accepted", False),
            ("acceptance rate", "acceptance_rate", True),
            ("rejected by Sales", "rejected", False),
            ("became customers", "won", False),
            ("win rate", "win_rate", True),
        ):
            cells = "".join(f"{_cell(stats[key], rate):>16}" for _, stats in columns)
            self.stdout.write(f"{label:<22}{cells}")
        overlap = r["overlap"]
        self.stdout.write(
            f"MQLs in both: {overlap['both']:,}; only v{r['version']['number']}:"
            f" {overlap['only_proposed']:,}; only the active: {overlap['only_active']:,}"
        )
        self.stdout.write(r["method"])


def _cell(value: Any, rate: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if rate else f"{value:,}"
