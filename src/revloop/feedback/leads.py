"""The lead list: every person a user may read, searched, filtered, sorted and paged.

Its whole state is a query string (``?q=acme&stage=mql&sla=breached&sort=-score&page=2``)
so a view can be bookmarked, shared or saved by name. One page costs a fixed number of
queries whatever its length: the count, the page's rows with their owner and account
joined, and one query for the SLA state of the rows shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from revloop.engine.contract.schema import GRADES
from revloop.engine.vocabulary import LifecycleStage
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.routing.models import SlaClock
from revloop.users.models import User
from revloop.users.policy import Reach, reach, require, rule, team_ids

#: Rows per page unless ``per`` asks for another of these.
PAGE_SIZES = (25, 50, 100)
#: ``sort`` values and the columns they order by (``-`` first: descending).
SORTS: dict[str, tuple[str, ...]] = {
    "created": ("created_at", "id"),
    "name": ("last_name", "first_name", "id"),
    "score": ("rule_score", "id"),
    "stage": ("stage", "id"),
}
DEFAULT_SORT = "-created"
#: The SLA states a lead can be in, as the filter names them.
SLA_STATES = {
    "breached": "a running clock is past its deadline",
    "running": "clocks running, none breached",
    "none": "no clock running",
}
#: The query-string keys that make up a view (``page`` is where, not what).
VIEW_KEYS = (
    "q",
    "stage",
    "reached",
    "owner",
    "source",
    "grade",
    "sla",
    "created_from",
    "created_to",
    "sort",
    "per",
)


@dataclass(frozen=True)
class LeadQuery:
    """A parsed, validated lead-list query; unknown values are dropped, not errors."""

    q: str = ""
    stages: tuple[str, ...] = ()
    #: Owner usernames; ``-`` is "nobody".
    owners: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    sla: str = ""
    #: Stages the person has ever entered (a transition into each is on record).
    reached: tuple[str, ...] = ()
    #: Created on or after / on or before these days (the company's time zone).
    created_from: date | None = None
    created_to: date | None = None
    sort: str = DEFAULT_SORT
    per: int = PAGE_SIZES[0]
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> LeadQuery:
        def many(key: str) -> tuple[str, ...]:
            getlist = getattr(params, "getlist", None)
            raw = getlist(key) if getlist else [params.get(key, "")]
            values = [part.strip() for item in raw for part in str(item or "").split(",")]
            return tuple(dict.fromkeys(v for v in values if v))

        stages = {s.value for s in LifecycleStage}
        sort = str(params.get("sort") or DEFAULT_SORT)
        per = _int(params.get("per"), PAGE_SIZES[0])
        sla = str(params.get("sla") or "")
        return cls(
            q=str(params.get("q") or "").strip()[:200],
            stages=tuple(s for s in many("stage") if s in stages),
            owners=tuple(o[:150] for o in many("owner")),
            sources=tuple(s[:64] for s in many("source")),
            grades=tuple(g for g in many("grade") if g in GRADES),
            sla=sla if sla in SLA_STATES else "",
            reached=tuple(s for s in many("reached") if s in stages),
            created_from=_day(params.get("created_from")),
            created_to=_day(params.get("created_to")),
            sort=sort if sort.removeprefix("-") in SORTS else DEFAULT_SORT,
            per=per if per in PAGE_SIZES else PAGE_SIZES[0],
            page=max(1, _int(params.get("page"), 1)),
        )

    def order_by(self) -> list[str]:
        columns = SORTS[self.sort.removeprefix("-")]
        sign = "-" if self.sort.startswith("-") else ""
        return [sign + column for column in columns]


def _int(value: object, default: int) -> int:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 9 else default


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def _sla_filter(state: str) -> Q:
    running = SlaClock.objects.filter(person=OuterRef("pk"), stopped_at__isnull=True)
    breached = running.filter(breached_at__isnull=False)
    if state == "breached":
        return Q(Exists(breached))
    if state == "running":
        return Q(Exists(running)) & ~Q(Exists(breached))
    return ~Q(Exists(running))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def lead_queryset(viewer: User | None, query: LeadQuery) -> QuerySet[Person]:
    """Every person matching ``query``, in its order; refused to users without a role."""
    require(viewer, "people.read")
    people = Person.objects.all()
    if query.q:
        words = query.q.split()
        for word in words[:5]:
            people = people.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(account__name__icontains=word)
            )
    if query.stages:
        people = people.filter(stage__in=query.stages)
    if query.owners:
        named = [o for o in query.owners if o != "-"]
        owned = Q(owner__username__in=named)
        people = people.filter(owned | Q(owner__isnull=True) if "-" in query.owners else owned)
    if query.sources:
        people = people.filter(source__in=query.sources)
    if query.grades:
        people = people.filter(grade__in=query.grades)
    for stage in query.reached:
        people = people.filter(
            Exists(StageTransition.objects.filter(person=OuterRef("pk"), to_stage=stage))
        )
    if query.created_from is not None:
        people = people.filter(created_at__gte=_start_of(query.created_from))
    if query.created_to is not None:
        people = people.filter(created_at__lt=_start_of(query.created_to + timedelta(days=1)))
    if query.sla:
        people = people.filter(_sla_filter(query.sla))
    return people.order_by(*query.order_by())


@dataclass(frozen=True)
class LeadRow:
    person_id: int
    name: str
    email: str
    title: str
    company: str | None
    stage: str
    stage_label: str
    owner: str | None
    source: str
    rule_score: float
    grade: str
    created_at: datetime
    stage_changed_at: datetime
    sla: str


@dataclass(frozen=True)
class LeadPage:
    query: LeadQuery
    rows: list[LeadRow]
    total: int
    page: int
    pages: int
    #: Choices for the filters, from the data (owners, sources) and the vocabulary.
    owners: list[tuple[str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.query.per + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def lead_page(viewer: User | None, query: LeadQuery) -> LeadPage:
    """One page of the list, with the total and the filters' choices."""
    people = lead_queryset(viewer, query)
    total = people.count()
    pages = max(1, -(-total // query.per))
    page = min(query.page, pages)
    start = (page - 1) * query.per
    shown = list(people.select_related("owner", "account")[start : start + query.per])
    states = sla_states([p.pk for p in shown])
    return LeadPage(
        query=query,
        rows=[_row(person, states.get(person.pk, "none")) for person in shown],
        total=total,
        page=page,
        pages=pages,
        owners=_owners(),
        sources=_sources(),
    )


def sla_states(ids: list[int]) -> dict[int, str]:
    """``breached`` or ``running`` for each listed person with an open clock."""
    states: dict[int, str] = {}
    for pk, breached_at in SlaClock.objects.filter(
        person_id__in=ids, stopped_at__isnull=True
    ).values_list("person_id", "breached_at"):
        if breached_at is not None or pk not in states:
            states[pk] = "breached" if breached_at is not None else "running"
    return states


def export_rows(viewer: User | None, query: LeadQuery) -> Iterator[LeadRow]:
    """Every matching lead (not just one page), read in chunks for a CSV download."""
    people = lead_queryset(viewer, query).select_related("owner", "account")
    batch: list[Person] = []
    for person in people.iterator(chunk_size=2000):
        batch.append(person)
        if len(batch) == 2000:
            yield from _rows_of(batch)
            batch = []
    yield from _rows_of(batch)


def _rows_of(batch: list[Person]) -> Iterator[LeadRow]:
    states = sla_states([p.pk for p in batch])
    for person in batch:
        yield _row(person, states.get(person.pk, "none"))


def _row(person: Person, sla: str) -> LeadRow:
    return LeadRow(
        person_id=person.pk,
        name=person.full_name,
        email=person.email,
        title=person.title,
        company=person.account.name if person.account else None,
        stage=person.stage,
        stage_label=LifecycleStage(person.stage).label,
        owner=person.owner.username if person.owner else None,
        source=person.source,
        rule_score=person.rule_score,
        grade=person.grade,
        created_at=person.created_at,
        stage_changed_at=person.stage_changed_at,
        sla=sla,
    )


def _owners() -> list[tuple[str, str]]:
    """Users who own at least one person, by username (a short list: the sales team)."""
    owning = Person.objects.filter(owner=OuterRef("pk"))
    users = User.objects.filter(Exists(owning)).order_by("username")
    return [(u.username, u.get_full_name() or u.username) for u in users]


def _sources() -> list[str]:
    return list(
        Person.objects.exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()[:200]
    )


def reassign_targets(user: User | None) -> list[tuple[str, str]]:
    """Whom ``user`` may hand leads to: a manager their team, an admin every rep; else nobody."""
    granted = reach(user, "lead.reassign")
    if granted is Reach.NONE:
        return []
    assert user is not None
    sellers = User.objects.filter(is_active=True, groups__name__in=rule("lead.own").roles())
    chosen = sellers.distinct()
    if granted is not Reach.ANY:
        chosen = chosen.filter(pk__in=team_ids(user))
    return [(u.username, u.get_full_name() or u.username) for u in chosen.order_by("username")]
