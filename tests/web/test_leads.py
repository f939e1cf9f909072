"""The lead list: search, filters, sort and pages in the URL; saved views; bulk actions by role."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from revloop.engine.vocabulary import Role
from revloop.people.models import Person
from revloop.routing.models import Assignment, SlaClock
from revloop.users.models import User
from revloop.web.models import SavedView
from tests import factories

pytestmark = pytest.mark.django_db


def names(response: object) -> list[str]:
    html = response.content.decode()  # type: ignore[attr-defined]
    return [
        line.split('data-person="')[1].split('"')[0]
        for line in html.splitlines()
        if "<tr data-person=" in line
    ]


@pytest.fixture
def book(rep: User, manager: User, make_user: Callable[..., User]) -> dict[str, Person]:
    rep.manager = manager
    rep.save(update_fields=["manager"])
    acme = factories.account(name="Acme Robotics")
    now = timezone.now()
    people = {
        "vera": factories.person(
            email="vera@acme.example",
            first_name="Vera",
            last_name="Lind",
            account=acme,
            owner=rep,
            stage="mql",
            source="webinar",
            rule_score=90,
            grade="A",
        ),
        "omar": factories.person(
            email="omar@globex.example",
            first_name="Omar",
            last_name="Haddad",
            owner=rep,
            stage="mql",
            source="ads",
            rule_score=40,
            grade="C",
        ),
        "lee": factories.person(
            email="lee@initech.example",
            first_name="Lee",
            last_name="Park",
            stage="lead",
            source="webinar",
            rule_score=10,
            grade="D",
        ),
    }
    assignment = Assignment.objects.create(person=people["vera"], rep=rep, at=now, rule_id="t")
    SlaClock.objects.create(
        person=people["vera"],
        assignment=assignment,
        rep=rep,
        kind="first_touch",
        started_at=now,
        due_at=now - timedelta(minutes=5),
        breached_at=now,
    )
    other = Assignment.objects.create(person=people["omar"], rep=rep, at=now, rule_id="t")
    SlaClock.objects.create(
        person=people["omar"],
        assignment=other,
        rep=rep,
        kind="first_touch",
        started_at=now,
        due_at=now + timedelta(hours=2),
    )
    return people


def ids(*people: Person) -> list[str]:
    return [str(p.pk) for p in people]


def test_it_searches_name_email_and_company(
    client: Client, viewer: User, book: dict[str, Person]
) -> None:
    client.force_login(viewer)
    assert names(client.get("/leads/?q=acme")) == ids(book["vera"])
    assert names(client.get("/leads/?q=HADDAD")) == ids(book["omar"])
    assert names(client.get("/leads/?q=initech.example")) == ids(book["lee"])
    assert names(client.get("/leads/?q=nobody-here")) == []


def test_it_filters_by_stage_owner_source_grade_and_sla(
    client: Client, viewer: User, rep: User, book: dict[str, Person]
) -> None:
    client.force_login(viewer)
    v, o, lee = book["vera"], book["omar"], book["lee"]
    assert sorted(names(client.get("/leads/?stage=mql"))) == sorted(ids(v, o))
    assert names(client.get("/leads/?owner=-")) == ids(lee)
    assert sorted(names(client.get(f"/leads/?owner={rep.username}"))) == sorted(ids(v, o))
    assert sorted(names(client.get("/leads/?source=webinar"))) == sorted(ids(v, lee))
    assert names(client.get("/leads/?grade=C")) == ids(o)
    assert names(client.get("/leads/?sla=breached")) == ids(v)
    assert names(client.get("/leads/?sla=running")) == ids(o)
    assert names(client.get("/leads/?sla=none")) == ids(lee)
    assert names(client.get("/leads/?stage=mql&source=ads")) == ids(o)


def test_it_sorts_and_pages_with_the_state_in_the_url(
    client: Client, viewer: User, book: dict[str, Person]
) -> None:
    client.force_login(viewer)
    v, o, lee = book["vera"], book["omar"], book["lee"]
    assert names(client.get("/leads/?sort=-score")) == ids(v, o, lee)
    assert names(client.get("/leads/?sort=score")) == ids(lee, o, v)
    assert names(client.get("/leads/?sort=name")) == ids(o, v, lee)  # Haddad, Lind, Park
    for n in range(30):
        factories.person(email=f"bulk{n}@zeta.example", source="webinar", rule_score=n)
    first = client.get("/leads/?source=webinar&sort=-score")
    html = first.content.decode()
    assert len(names(first)) == 25
    assert "32 leads match" in html
    assert 'href="?source=webinar&amp;sort=-score&amp;page=2" rel="next"' in html
    second = client.get("/leads/?source=webinar&sort=-score&page=2")
    assert len(names(second)) == 7
    assert names(second)[-1] == str(book["lee"].pk) or "bulk0" in second.content.decode()
    # A page past the end shows the last one; junk values fall back to the defaults.
    assert names(client.get("/leads/?source=webinar&sort=-score&page=99")) == names(second)
    assert client.get("/leads/?sort=DROP&per=7&page=x&stage=nope").status_code == 200


def test_a_page_costs_the_same_queries_whatever_its_length(
    client: Client, viewer: User, book: dict[str, Person], rep: User
) -> None:
    client.force_login(viewer)
    client.get("/leads/")  # warm the session and the contract cache

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count("/leads/?per=100")
    for n in range(60):
        factories.person(
            email=f"more{n}@zeta.example",
            owner=rep,
            account=factories.account(),
            stage="mql",
        )
    assert count("/leads/?per=100") == few
    assert few <= 13, f"{few} queries for one page of leads"


def test_an_account_without_a_role_is_refused(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get("/leads/").status_code == 403
    assert client.get("/leads/export/").status_code == 403


def test_export_writes_every_matching_lead_as_csv(
    client: Client, marketer: User, book: dict[str, Person]
) -> None:
    client.force_login(marketer)
    response = client.get("/leads/export/?stage=mql&sort=-score")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["email"] for r in rows] == ["vera@acme.example", "omar@globex.example"]
    assert (rows[0]["company"], rows[0]["sla"], rows[1]["sla"]) == (
        "Acme Robotics",
        "breached",
        "running",
    )
    picked = client.get(f"/leads/export/?id={book['omar'].pk}")
    assert [
        r["email"] for r in csv.DictReader(io.StringIO(b"".join(picked.streaming_content).decode()))
    ] == ["omar@globex.example"]


def test_a_manager_reassigns_ticked_leads_of_their_team(
    client: Client,
    manager: User,
    rep: User,
    make_user: Callable[..., User],
    book: dict[str, Person],
) -> None:
    tess = make_user("tess", Role.SALES_REP, manager=manager)
    client.force_login(manager)
    page = client.get("/leads/").content.decode()
    assert 'action="/leads/reassign/"' in page
    assert 'value="tess"' in page
    response = client.post(
        "/leads/reassign/",
        {"id": [book["vera"].pk, book["omar"].pk], "to": "tess", "stage": "mql"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/leads/?stage=mql"
    assert set(Person.objects.filter(owner=tess).values_list("email", flat=True)) == {
        "vera@acme.example",
        "omar@globex.example",
    }
    record = Assignment.objects.filter(person=book["vera"], ended_at__isnull=True).get()
    assert (record.rep, record.by_user) == (tess, manager)


def test_a_rep_may_not_reassign(client: Client, rep: User, book: dict[str, Person]) -> None:
    client.force_login(rep)
    assert 'action="/leads/reassign/"' not in client.get("/leads/").content.decode()
    response = client.post("/leads/reassign/", {"id": [book["vera"].pk], "to": "rob"})
    assert response.status_code == 403
    assert Person.objects.get(pk=book["vera"].pk).owner == rep


def test_a_manager_may_not_reassign_another_teams_lead(
    client: Client, manager: User, make_user: Callable[..., User]
) -> None:
    sam = make_user("sam", Role.SALES_REP)  # on nobody's team
    tess = make_user("tess", Role.SALES_REP, manager=manager)
    theirs = factories.person(email="theirs@b.example", owner=sam, stage="mql")
    client.force_login(manager)
    response = client.post("/leads/reassign/", {"id": [theirs.pk], "to": "tess"}, follow=True)
    assert "may not re-assign this lead (theirs@b.example)" in response.content.decode()
    assert Person.objects.get(pk=theirs.pk).owner == sam
    assert not Person.objects.filter(owner=tess).exists()


def test_saved_views_are_each_users_own(
    client: Client, rep: User, marketer: User, book: dict[str, Person]
) -> None:
    client.force_login(rep)
    response = client.post(
        "/leads/views/", {"name": "My hot", "query": "stage=mql&sort=-score&page=3&evil=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/leads/?stage=mql&sort=-score"
    view = SavedView.objects.get(user=rep)
    assert (view.name, view.query) == ("My hot", "stage=mql&sort=-score")
    assert 'data-view="My hot"' in client.get("/leads/").content.decode()
    # Saving the same name again replaces the query.
    client.post("/leads/views/", {"name": "My hot", "query": "sla=breached"})
    assert SavedView.objects.get(user=rep).query == "sla=breached"

    client.force_login(marketer)
    assert 'data-view="My hot"' not in client.get("/leads/").content.decode()
    assert client.post(f"/leads/views/{view.pk}/delete/").status_code == 403
    assert SavedView.objects.filter(pk=view.pk).exists()

    client.force_login(rep)
    assert client.post(f"/leads/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_an_account_without_a_role_saves_no_view(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.post("/leads/views/", {"name": "x", "query": "stage=mql"}).status_code == 403
    assert not SavedView.objects.exists()
