"""The demo company's goals for the quarter under way, set as its managers would."""

from __future__ import annotations

from datetime import datetime

from revloop.goals.actions import GoalInvalid, do_set_goal
from revloop.users.models import User

#: (who sets it, team, group, metric, target, baseline). Relative targets grow on the
#: quarter before, so they stay sensible whatever the demo's size.
DEMO_GOALS: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    ("ada", "marketing", "", "new_leads", "+10%", "previous"),
    ("ada", "marketing", "", "mqls", "+10%", "previous"),
    ("ada", "marketing", "", "sal_acceptance_rate", "60%", None),
    ("nina", "sales", "", "revenue_won", "+10%", "previous"),
    ("nina", "sales", "", "win_rate", "20%", None),
    ("nina", "sales", "", "sales_sla_compliance", "80%", None),
    ("erik", "group", "EMEA", "pipeline_created", "+10%", "previous"),
)


def seed_goals(now: datetime) -> list[str]:
    """Set the demo's goals through the action; returns why any was refused (a very
    small demo may have no quarter before this one to grow on)."""
    users = {u.username: u for u in User.objects.filter(username__in={g[0] for g in DEMO_GOALS})}
    refused = []
    for username, team, group, metric, target, baseline in DEMO_GOALS:
        try:
            do_set_goal(
                team=team,
                group=group,
                metric=metric,
                period="this-quarter",
                target=target,
                baseline=baseline,
                by=users.get(username),
                note="Set at the demo's set-up.",
                now=now,
            )
        except GoalInvalid as exc:
            refused.append(f"{team} {metric}: {exc.message}")
    return refused
