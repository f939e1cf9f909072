"""One line of plain words per flag's evidence, for the command's table and the page."""

from __future__ import annotations

from typing import Any


def describe(check: str, e: dict[str, Any]) -> str:  # noqa: PLR0911 - one sentence per check
    if check == "no_activity":
        last = e.get("last_activity")
        since = f"last activity {last}" if last else f"none since created {e.get('created')}"
        return f"{e['days_without_activity']:g} days without activity ({since})"
    if check == "close_date_pushed":
        return (
            f"close date pushed {e['pushes']} times, {e['first_close_date']} → "
            f"{e['latest_close_date']} (on {', '.join(e['pushed_on'])})"
        )
    if check == "past_due":
        return f"close date {e['close_date']} passed {e['days_past_due']} days ago"
    if check == "end_of_quarter_burst":
        return (
            f"created {e['created']}, one of {e['rep_created_in_window']} the rep created in "
            f"{e['window'][0]}-{e['window'][1]} (end of {e['quarter']}) against "
            f"{e['rep_expected_in_window']:g} at their usual {e['rep_usual_per_day']:g} a day"
        )
    if check == "skipped_stage":
        return f"{e['from']} → {e['to']} on {e['on']}, skipping {', '.join(e['skipped'])}"
    if check == "amount_jump":
        return f"amount {e['from']} → {e['to']} (x{e['ratio']:g}) on {e['on']}"
    if check == "no_contact":
        return "no contact on the deal"
    if check == "no_economic_buyer":
        roles = ", ".join(e["roles"]) or "none"
        return f"in {e['stage']} with no {' or '.join(e['wanted_roles'])} (roles: {roles})"
    if check == "stuck_in_stage":
        return (
            f"{e['days_in_stage']:g} days in {e['stage']} since {e['in_stage_since']}; "
            f"{e['usual_quantile']:.0%} of {e['usual_from_deals']} deals left it within "
            f"{e['stage_usual_days']:g}"
        )
    return ", ".join(f"{k}: {v}" for k, v in e.items())
