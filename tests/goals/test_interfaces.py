"""Goals and the plan through the command line, the API and the pages, on the demo
company: the same figures everywhere, the same permission everywhere."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from revloop.goals.actions import do_set_goal
from revloop.goals.models import Goal
from revloop.goals.progress import board, goal_progress, home_goals
from revloop.users.models import User
from tests import factories
from tests.analytics.seeded import seed_company


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=1500, seed=3, now=timezone.now())


def _run(*args: str) -> Any:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _check_arithmetic(plan: dict[str, Any]) -> None:
    needed = {s["stage"]: s["needed"] for s in plan["stages"]}
    assert needed["customer"] == math.ceil(float(plan["revenue"]) / float(plan["deal_size"]) - 1e-9)
    for rate in plan["rates"]:
        expected = math.ceil(needed[rate["to_stage"]] / rate["rate"] - 1e-9)
        assert needed[rate["from_stage"]] == expected, rate
        assert rate["converted"] <= rate["reached"]


@pytest.mark.usefixtures("company")
def test_the_demo_sets_both_teams_goals_and_the_home_page_leads_with_them() -> None:
    teams = set(Goal.objects.values_list("team", flat=True))
    assert {"marketing", "sales"} <= teams
    html = _login("victor").get("/").content.decode()
    head = html.index('data-section="goals"')
    assert head < html.index('data-figure="touches_30d"')
    for team in ("marketing", "sales"):
        assert f'data-team="{team}" data-metric=' in html
    assert html.count("goal-status goal-") >= 2


@pytest.mark.usefixtures("company")
def test_goals_commands_set_list_and_show_as_json(act_as: Callable[[str], User]) -> None:
    act_as("nina")
    made = _run(
        "goals",
        "set",
        "--team",
        "sales",
        "--metric",
        "revenue_won",
        "--period",
        "next-quarter",
        "--target",
        "USD 250,000",
    )
    assert made["created"] is True
    assert (made["target"], made["currency"], made["status"]) == (
        "250000.00",
        "USD",
        made["status"],
    )
    assert made["started"] is False
    listed = _run("goals", "list")["goals"]
    assert made["id"] in [g["id"] for g in listed]
    shown = _run("goals", "show", str(made["id"]))
    assert shown["period"] == made["period"]
    act_as("rachel")
    with pytest.raises(CommandError, match="may not set this team's goals"):
        _run(
            "goals",
            "set",
            "--team",
            "sales",
            "--metric",
            "win_rate",
            "--period",
            "next-quarter",
            "--target",
            "30%",
        )
    act_as("nina")
    with pytest.raises(CommandError, match="target: 'lots' is not a whole number"):
        _run(
            "goals",
            "set",
            "--team",
            "marketing",
            "--metric",
            "mqls",
            "--period",
            "next-quarter",
            "--target",
            "lots",
        )


@pytest.mark.usefixtures("company")
def test_plan_command_adds_up_states_its_history_and_sets_both_teams_goals(
    act_as: Callable[[str], User],
) -> None:
    plan = _run("plan", "--revenue", "400000", "--period", "next-quarter", "--by", "channel")
    _check_arithmetic(plan)
    assert [s["stage"] for s in plan["stages"]] == [
        "lead",
        "mql",
        "sal",
        "sql",
        "opportunity",
        "customer",
    ]
    assert plan["deals"] > 0
    assert "deals in USD" in plan["deal_size_basis"]
    assert plan["notes"]
    shares = [c["share"] for c in plan["channels"]]
    assert shares
    assert math.isclose(sum(shares), 1.0)
    before = Goal.objects.count()
    act_as("nina")
    made = _run("plan", "--revenue", "400000", "--period", "next-quarter", "--create-goals")
    assert len(made["goals"]) + len(made["skipped"]) == 4
    metrics = set(Goal.objects.filter(pk__in=made["goals"]).values_list("team", "metric"))
    assert ("sales", "revenue_won") in metrics
    assert Goal.objects.count() == before + len(made["goals"])
    with pytest.raises(CommandError, match="revenue: 'much' is not an amount"):
        _run("plan", "--revenue", "much", "--period", "next-quarter")


@pytest.mark.usefixtures("company")
def test_the_api_reads_and_sets_goals_and_plans(token_client) -> None:
    nina = User.objects.get(username="nina")
    rachel = User.objects.get(username="rachel")
    manager, rep = token_client(nina), token_client(rachel)
    body = {"team": "sales", "metric": "win_rate", "period": "next-quarter", "target": "25%"}
    made = manager.post("/api/v1/goals", body, content_type="application/json")
    assert made.status_code == 201, made.content
    goal = made.json()
    assert goal["target"] == 0.25
    refused = rep.post("/api/v1/goals", body, content_type="application/json")
    assert refused.status_code == 403
    bad = manager.post("/api/v1/goals", {**body, "period": "2001"}, content_type="application/json")
    assert bad.status_code == 400
    assert "period: 2001 has already ended" in bad.json()["message"]
    listed = rep.get("/api/v1/goals").json()["goals"]
    assert goal["id"] in [g["id"] for g in listed]
    assert rep.get(f"/api/v1/goals/{goal['id']}").json()["metric"] == "win_rate"
    plan = rep.get("/api/v1/plan", {"revenue": "300000", "period": "next-quarter"})
    assert plan.status_code == 200
    _check_arithmetic(plan.json())
    assert (
        rep.post(
            "/api/v1/plan/goals",
            {"revenue": "1", "period": "next-quarter"},
            content_type="application/json",
        ).status_code
        == 403
    )


@pytest.mark.usefixtures("company")
def test_plan_page_shows_the_plan_and_the_button_only_to_managers() -> None:
    url = "/plan/?revenue=300000&period=next-quarter&by=channel"
    page = _login("nina").get(url).content.decode()
    assert 'data-stage="lead"' in page
    assert 'data-table="rates"' in page
    assert 'data-action="create-goals"' in page
    assert "data-channel=" in page
    assert 'data-action="create-goals"' not in _login("rachel").get(url).content.decode()
    posted = _login("nina").post(
        "/plan/goals/", {"revenue": "300000", "period": "next-quarter"}, follow=True
    )
    assert posted.redirect_chain[-1][0] == "/goals/"
    assert "goals from the plan" in posted.content.decode()
    assert (
        _login("rachel")
        .post("/plan/goals/", {"revenue": "300000", "period": "next-quarter"})
        .status_code
        == 403
    )
    error = _login("nina").get("/plan/?revenue=-5&period=next-quarter").content.decode()
    assert "revenue: &#x27;-5&#x27; must be above 0" in error


@pytest.mark.usefixtures("company")
def test_the_goals_board_costs_a_fixed_number_of_queries(django_assert_num_queries) -> None:
    shown = home_goals()
    assert len(shown) >= 2
    live = sum(g["metric"] == "sales_sla_compliance" for g in shown)
    # Once computed: the goals, the data version (6 index look-ups), the cached
    # histories in one query, and Sales' SLA clocks, which are always read afresh.
    with django_assert_num_queries(1 + 6 + 1 + live):
        again = home_goals()
    assert [g["actual"] for g in again] == [g["actual"] for g in shown]
    listed = board()
    live = sum(g["metric"] == "sales_sla_compliance" for g in listed)
    client = _login("victor")
    client.get("/goals/")
    # The session, the user and their roles (read once, with the user, for every
    # question the page and its menu ask).
    with django_assert_num_queries(3 + 1 + 6 + 1 + live):
        client.get("/goals/")


@pytest.mark.usefixtures("company")
def test_a_cached_history_is_read_again_once_new_data_arrives(manager: User) -> None:
    goal, _ = do_set_goal(
        team="marketing", metric="new_leads", period="this-quarter", target="100", by=manager
    )
    before = goal_progress(goal)["actual"]
    assert goal_progress(goal)["actual"] == before
    factories.person(created_at=timezone.now())
    assert goal_progress(goal)["actual"] == before + 1


@pytest.mark.usefixtures("company")
def test_managers_set_a_goal_on_the_goals_page_and_others_may_not() -> None:
    form = {"team": "sales", "metric": "win_rate", "period": "next-quarter", "target": "28%"}
    page = _login("nina").get("/goals/").content.decode()
    assert 'data-form="set-goal"' in page
    done = _login("nina").post("/goals/", form, follow=True)
    assert done.redirect_chain[-1][0] == "/goals/"
    assert Goal.objects.filter(metric="win_rate", target=Decimal("0.28")).exists()
    assert 'data-form="set-goal"' not in _login("rachel").get("/goals/").content.decode()
    assert _login("rachel").post("/goals/", form).status_code == 403
    refused = _login("nina").post("/goals/", {**form, "target": "140%"})
    assert refused.status_code == 400
    assert "must be above 0% and at most 100%" in refused.content.decode()
