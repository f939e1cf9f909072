"""What the router needs to know, read in bulk: the leads' facts and the reps' state."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef

from revloop.engine.contract import Contract
from revloop.engine.routing import Absence, LeadFacts, RepState
from revloop.engine.vocabulary import LifecycleStage, OpportunityStage
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity
from revloop.routing.clocks import rep_calendar
from revloop.routing.models import Assignment, RepAbsence
from revloop.users.models import User

#: Open work that counts against a rep's capacity.
OPEN_STAGES = (LifecycleStage.MQL.value, LifecycleStage.SAL.value)
#: Round robin evens out the assignments of this window, so a rep back from two weeks
#: away is not flooded to "catch up".
FAIRNESS_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class WaitingLead:
    person_id: int
    owner_id: int | None
    ever_assigned: bool


def waiting_mqls(ids: Collection[int] | None) -> list[WaitingLead]:
    """MQLs among ``ids`` (all when None) that no rep is working, oldest MQL first.

    Includes MQLs whose owner's assignment ended (a lead recycled and promoted again).
    """
    assignments = Assignment.objects.filter(person_id=OuterRef("pk"))
    queryset = (
        Person.objects.filter(stage=LifecycleStage.MQL)
        .annotate(
            working=Exists(assignments.filter(ended_at__isnull=True)),
            ever=Exists(assignments),
        )
        .filter(working=False)
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return [
        WaitingLead(pk, owner_id, ever)
        for pk, owner_id, ever in queryset.order_by("stage_changed_at", "pk").values_list(
            "pk", "owner_id", "ever"
        )
    ]


def lead_facts(ids: list[int]) -> list[LeadFacts]:
    """The routing facts of each person, in the order of ``ids``."""
    rows = {}
    chunk = 20_000
    for start in range(0, len(ids), chunk):
        for values in Person.objects.filter(pk__in=ids[start : start + chunk]).values(
            "id",
            "country",
            "account_id",
            "account__owner__username",
            "account__country",
            "account__region",
            "account__industry",
            "account__employee_count",
            "account__tier",
        ):
            rows[values["id"]] = values
    accounts = {row["account_id"] for row in rows.values() if row["account_id"] is not None}
    deal_owners = _open_opportunity_owners(accounts)
    facts = []
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            continue
        account_id = row["account_id"]
        employees = row["account__employee_count"]
        facts.append(
            LeadFacts(
                person_id=pk,
                account_id=account_id,
                account_owner=row["account__owner__username"] or None,
                open_opportunity_owner=deal_owners.get(account_id),
                country=str(row["account__country"] or row["country"] or ""),
                region=str(row["account__region"] or ""),
                industry=str(row["account__industry"] or ""),
                employees=int(employees) if employees is not None else None,
                tier=str(row["account__tier"] or ""),
            )
        )
    return facts


def _open_opportunity_owners(accounts: Iterable[int]) -> dict[int, str]:
    """Per account, the owner of its most recent open opportunity."""
    wanted = list(accounts)
    if not wanted:
        return {}
    open_stages = [stage.value for stage in OpportunityStage if not stage.is_closed]
    owners: dict[int, str] = {}
    chunk = 20_000
    for start in range(0, len(wanted), chunk):
        for account_id, username in (
            Opportunity.objects.filter(
                account_id__in=wanted[start : start + chunk],
                stage__in=open_stages,
                owner__isnull=False,
            )
            .order_by("account_id", "created_at")
            .values_list("account_id", "owner__username")
        ):
            owners[int(account_id)] = username
    return owners


def rep_usernames(contract: Contract, facts: Iterable[LeadFacts] = ()) -> set[str]:
    """Everyone the router may choose: team members, account and deal owners."""
    names = {member.user for team in contract.routing.teams for member in team.members}
    for lead in facts:
        names.update(n for n in (lead.account_owner, lead.open_opportunity_owner) if n)
    return names


def rep_states(contract: Contract, users: Iterable[User], now: datetime) -> list[RepState]:
    """Each rep as routing sees them: calendar, open work, recent assignments, absences."""
    users = list(users)
    ids = [user.pk for user in users]
    open_leads = dict(
        Person.objects.filter(owner_id__in=ids, stage__in=OPEN_STAGES)
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    recent = dict(
        Assignment.objects.filter(
            rep_id__in=ids, at__gt=now - FAIRNESS_WINDOW, by_user__isnull=True
        )
        .exclude(team="")
        .values_list("rep_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    absences: dict[int, list[Absence]] = {}
    # A day's slack: the rep's local date may still be yesterday in UTC terms.
    since = now.date() - timedelta(days=1)
    for user_id, starts, ends in RepAbsence.objects.filter(
        user_id__in=ids, ends__gte=since
    ).values_list("user_id", "starts", "ends"):
        absences.setdefault(user_id, []).append(Absence(starts=starts, ends=ends))
    return [
        RepState(
            username=user.username,
            calendar=rep_calendar(contract.sla, user.time_zone),
            open_leads=open_leads.get(user.pk, 0),
            assigned=float(recent.get(user.pk, 0)),
            active=user.is_active,
            absences=tuple(absences.get(user.pk, ())),
        )
        for user in users
    ]
