"""Routing runs as real processes on PostgreSQL: eight at once, and one killed half-way.

Eight ``revloop route`` processes on one backlog give no lead twice and no rep more than
their capacity, and assign what one clean run assigns: each run locks the routing
teams' user rows first (in id order), so competing runs take turns over the reps'
capacity, and claims each lead with a compare-and-set on its owner. A run killed with
SIGKILL mid-transaction leaves nothing behind, and the run after it ends exactly as a
single clean run on a copy of the same database.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.utils import timezone

from revloop.contracts.models import ContractStatus, ContractVersion
from revloop.engine.contract import contract_digest, default_contract_text, parse_contract
from revloop.engine.vocabulary import Role
from revloop.people.models import Account, Person
from revloop.users.models import User

from . import pg

pytestmark = pg.needs_postgres

EMEA = ("lena", "jonas", "sofia")
NORTH_AMERICA = ("rachel", "tom", "devon")

#: What a routing run leaves, without ids and times: assignments, clocks, owners, trail.
STATE = {
    "assignments": (
        "SELECT p.email, u.username, a.rule_id, a.team, a.ended_at IS NULL"
        " FROM routing_assignment a JOIN people_person p ON p.id = a.person_id"
        " JOIN users_user u ON u.id = a.rep_id"
    ),
    "clocks": (
        "SELECT p.email, c.kind, u.username, c.attempts_needed, c.stopped_at IS NULL"
        " FROM routing_slaclock c JOIN people_person p ON p.id = c.person_id"
        " JOIN users_user u ON u.id = c.rep_id"
    ),
    "owners": (
        "SELECT p.email, p.stage, u.username FROM people_person p"
        " LEFT JOIN users_user u ON u.id = p.owner_id"
    ),
    "trail": ("SELECT action, detail::text FROM users_auditentry WHERE action = 'leads.routed'"),
}


def _seed(leads: int, capacity: int) -> None:
    """The default contract's two teams with a small capacity, and ``leads`` waiting MQLs."""
    text = default_contract_text().replace("capacity: 150", f"capacity: {capacity}")
    contract = parse_contract(text)
    now = timezone.now()
    ContractVersion.objects.create(
        number=1,
        name=contract.name,
        text=text,
        digest=contract_digest(contract),
        status=ContractStatus.ACTIVE,
        proposed_at=now,
        activated_at=now,
    )
    for names, zone, team in (
        (EMEA, "Europe/Berlin", "emea"),
        (NORTH_AMERICA, "America/New_York", "north_america"),
    ):
        for name in names:
            user = User.objects.create_user(name, time_zone=zone, team=team)
            user.groups.add(_group(Role.SALES_REP))
    accounts = Account.objects.bulk_create(
        Account(name=f"Account {n}", region="EMEA" if n % 2 else "NA", created_at=now)
        for n in range(leads)
    )
    Person.objects.bulk_create(
        Person(
            email=f"lead{n}@account{n}.example",
            email_key=f"lead{n}@account{n}.example",
            account=account,
            stage="mql",
            stage_changed_at=now,
            created_at=now,
        )
        for n, account in enumerate(accounts)
    )


def _group(role: Role) -> object:
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=role.value)[0]


def _state(database: str | None = None) -> dict[str, list[tuple[object, ...]]]:
    return {name: pg.rows(database, sql) for name, sql in STATE.items()}


def test_eight_routing_processes_assign_each_lead_once_within_capacity(tmp_path: Path) -> None:
    _seed(leads=240, capacity=15)
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    env = pg.child_env(tmp_path)
    # Four take the whole backlog (competing for the same leads), four a quarter each
    # (competing for the reps' capacity).
    parts = [[], [], [], [], *([str(i) for i in ids[k::4]] for k in range(4))]
    runs = [pg.revloop(env, "route", "--json", *part, wait=False) for part in parts]
    outcomes = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0] * 8, [err.decode() for _, err in outcomes]

    state = _state()
    emails = [row[0] for row in state["assignments"]]
    assert len(emails) == len(set(emails)) == 6 * 15, "a lead assigned twice, or capacity lost"
    load: dict[str, int] = {}
    for _, rep, *_ in state["assignments"]:
        load[rep] = load.get(rep, 0) + 1
    assert load == dict.fromkeys(EMEA + NORTH_AMERICA, 15)
    assert len(state["clocks"]) == 3 * len(emails)
    owners = {email: rep for email, _, rep in state["owners"] if rep}
    assert owners == {row[0]: row[1] for row in state["assignments"]}
    assert sum(json.loads(detail)["assigned"] for _, detail in state["trail"]) == 90
    # What the runs answered adds up to what they stored.
    assert sum(json.loads(out)["assigned"] for out, _ in outcomes) == 90


def test_a_routing_run_killed_mid_transaction_then_rerun_ends_as_one_clean_run(
    tmp_path: Path,
) -> None:
    _seed(leads=800, capacity=100)
    with pg.twin("clean") as clean:
        victim = pg.revloop(pg.child_env(tmp_path), "route", wait=False)
        pg.kill_while_writing(victim)
        # The killed run's transaction rolled back whole: nothing is half-assigned.
        assert _state()["assignments"] == []
        pg.finish(
            pg.revloop(pg.child_env(tmp_path), "route", wait=False),
            pg.revloop(pg.child_env(tmp_path, clean), "route", wait=False),
        )
        after, expected = _state(), _state(clean)
    assert len(expected["assignments"]) == 600
    for table in STATE:
        assert after[table] == expected[table], table
