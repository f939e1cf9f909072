"""What ``revloop`` and ``revloop --help`` print: revloop's own commands, grouped by task.

The commands are found on disk (every ``<app>/management/commands/*.py`` of revloop),
without importing them, so the list is instant; a command no group names still appears,
under "Other", with the first sentence of its own ``help``.
"""

from __future__ import annotations

import ast
from pathlib import Path

#: Task → (command, its line), in the order a new user meets them. A command added
#: without a line here still shows, under "Other", with the start of its own help.
GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Start and run",
        (
            ("demo", "set up, seed a demo company, print the logins and serve it"),
            ("serve", "serve the web app and API (gunicorn)"),
            ("worker", "run background jobs: SLA sweeps, rescoring, webhooks"),
        ),
    ),
    (
        "Bring data in and out",
        (
            ("import", "import a CSV (generic, HubSpot or Salesforce export)"),
            ("dedupe", "find duplicate people and merge them"),
            ("people", "merge two people by hand"),
            ("export", "write the analytics tables as Parquet"),
        ),
    ),
    (
        "The lead contract and scoring",
        (
            ("contract", "validate, propose, diff, approve, show and backtest versions"),
            ("score", "rescore under the active contract, then the automatic stage moves"),
            ("explain", "why a person scores what they score, rule by rule"),
            ("model", "predictive scoring: train, evaluate, list models"),
            ("stage", "move a person between lifecycle stages"),
        ),
    ),
    (
        "Routing and SLAs",
        (
            ("route", "hand waiting MQLs to reps by the routing rules"),
            ("rep", "mark a rep away so routing passes them over"),
            ("sla", "deadlines, this week's compliance of both teams, the clock sweep"),
        ),
    ),
    (
        "Reports",
        (
            ("stats", "how many accounts, people, touches, deals"),
            ("funnel", "stage-to-stage conversion, drop-off and time in stage"),
            ("attribution", "credit pipeline or revenue to channels, campaigns, content"),
            ("content", "each content asset's views, pipeline, revenue and rejections"),
            ("leads", "leads by their own columns (source, persona, country)"),
            ("opportunities", "deals by their own columns (source, type, region)"),
            ("lift", "a campaign's lift over its control group"),
        ),
    ),
    (
        "Truth in messaging and field insights",
        (
            ("catalog", "the offer catalog: validate, save, show versions"),
            ("check-copy", "check copy against the catalog"),
            ("misinformed", "content that misinforms prospects, ranked"),
            ("insights", "questions and objections reps hear, grouped into topics"),
        ),
    ),
    (
        "Pipeline and goals",
        (
            ("pipeline", "honest-pipeline checks and each rep's health"),
            ("forecast", "expected revenue this quarter and next"),
            ("goals", "both teams' goals: list, set, show"),
            ("plan", "the leads and MQLs a revenue target needs, and by when"),
        ),
    ),
    (
        "Connect other systems",
        (
            ("token", "API tokens: create, list, revoke"),
            ("webhook", "outgoing webhooks: add, list, test"),
        ),
    ),
)
WIDTH = 76


def _first_clause(text: str) -> str:
    text = " ".join(text.split()).split(". ", 1)[0].rstrip(".")
    if len(text) > WIDTH:
        text = text[: WIDTH - 1].rsplit(" ", 1)[0] + "…"
    return text


def _help_of(path: Path) -> str:
    """The ``help`` string of the ``Command`` class in ``path``, read with ``ast``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Command":
            for item in node.body:
                if isinstance(item, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "help" for t in item.targets
                ):
                    try:
                        value = ast.literal_eval(item.value)
                    except ValueError:
                        return ""
                    return value if isinstance(value, str) else ""
    return ""


def own_commands() -> dict[str, str]:
    """revloop's commands and each one's line."""
    root = Path(__file__).resolve().parent
    found = {}
    for path in sorted(root.glob("*/management/commands/*.py")):
        if not path.name.startswith("_"):
            found[path.stem] = _first_clause(_help_of(path))
    return found


def usage() -> str:
    commands = own_commands()
    lines = ["Usage: revloop COMMAND [options]   (revloop COMMAND --help for its options)", ""]
    listed: set[str] = set()
    for title, entries in GROUPS:
        present = [(name, line) for name, line in entries if name in commands]
        if not present:
            continue
        lines.append(f"{title}:")
        lines.extend(f"  {name:<14}{line}" for name, line in present)
        lines.append("")
        listed.update(name for name, _ in present)
    others = sorted(set(commands) - listed)
    if others:
        lines.append("Other:")
        lines.extend(f"  {name:<14}{commands[name]}" for name in others)
        lines.append("")
    lines.append(
        "Django's own commands (migrate, createsuperuser, shell, …): revloop django --help"
    )
    lines.append("and revloop django COMMAND; revloop migrate and the like work directly too.")
    return "\n".join(lines) + "\n"
