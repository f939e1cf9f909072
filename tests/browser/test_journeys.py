"""What each role does in a real browser, start to finish, following the links on the pages.

A rep finds a lead by search, opens the brief, accepts it with a reason and logs a call; a
manager re-assigns from the team view; a marketer proposes a contract change that a sales
manager approves; a marketer shares a Marketing view by its URL; and a new user, starting
from home and following links only, reaches each answer the product promises.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from revloop.contracts.versions import active_version
from revloop.engine.vocabulary import Role
from revloop.feedback.models import SalesActivity
from revloop.people.models import Person
from revloop.routing.models import Assignment, SlaClock
from revloop.users.models import User
from tests import factories
from tests.analytics.seeded import seed_company
from tests.browser.support import LAPTOP, PHONE, live_db, overflow_px

pytestmark = live_db


def _lead(owner: User) -> Person:
    account = factories.account(name="Acme Robotics")
    person = factories.person(
        email="vera.lind@acme.example",
        first_name="Vera",
        last_name="Lind",
        account=account,
        owner=owner,
        stage="mql",
        source="webinar",
    )
    now = timezone.now()
    assignment = Assignment.objects.create(
        person=person,
        rep=owner,
        at=now,
        rule_id="emea",
        team="emea",
        explanation=f"Rule 'emea' sends the lead to team emea, where {owner.username} is next.",
    )
    SlaClock.objects.create(
        person=person,
        assignment=assignment,
        rep=owner,
        kind="first_touch",
        started_at=now,
        due_at=now + timedelta(hours=4),
    )
    return person


def _nav(page: Any, name: str) -> None:
    """Follow a main-navigation link, unfolding the phone menu first when it is folded."""
    menu = page.get_by_role("button", name="Menu")
    if menu.count() and menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_rep_finds_a_lead_accepts_it_with_a_reason_and_logs_a_call(
    new_page: Callable[..., Any], rep: User, viewport: dict[str, int]
) -> None:
    lead = _lead(rep)
    factories.person(email="someone@else.example", first_name="Otto", last_name="Other")
    page = new_page(rep, viewport)
    _nav(page, "Leads")
    page.get_by_label("Search").fill("lind")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    assert "q=lind" in page.url
    rows = page.locator("table[data-table=leads] tbody tr")
    assert rows.count() == 1
    rows.get_by_role("link", name="Vera Lind").click()
    page.get_by_role("link", name="handoff brief").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/people/{lead.pk}/brief/")
    assert overflow_px(page) == 0

    work = page.locator("[data-section=actions]")
    work.get_by_label("Why accept").fill("budget confirmed on the webinar")
    work.get_by_role("button", name="Accept").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Accepted.").is_visible()
    assert Person.objects.get(pk=lead.pk).stage == "sal"

    work = page.locator("[data-section=actions]")
    work.get_by_text("Log activity").click()
    work.get_by_label("Kind").select_option("call")
    work.get_by_label("What happened").fill("left a voicemail")
    work.get_by_role("button", name="Log").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Call logged.").is_visible()
    call = SalesActivity.objects.get(person=lead)
    assert (call.kind, call.user, call.note) == ("call", rep, "left a voicemail")
    assert page.url.endswith(f"/people/{lead.pk}/brief/")


def test_a_manager_reassigns_from_the_team_view(
    new_page: Callable[..., Any], manager: User, rep: User, make_user: Callable[..., User]
) -> None:
    rep.manager = manager
    rep.save(update_fields=["manager"])
    tess = make_user("tess", Role.SALES_REP, manager=manager, first_name="Tess")
    lead = _lead(rep)
    page = new_page(manager)
    _nav(page, "Inbox")
    assert page.locator("[data-section=team]").is_visible()
    row = page.locator(f"tr#lead-{lead.pk}")
    row.locator("summary", has_text="Reassign").click()
    row.get_by_label("New owner").select_option("tess")
    row.get_by_role("button", name="Reassign").click()
    page.locator(f"tr#lead-{lead.pk}").get_by_text("Re-assigned to tess.").wait_for()
    assert Person.objects.get(pk=lead.pk).owner == tess
    assert Assignment.objects.get(person=lead, ended_at__isnull=True).by_user == manager


def test_a_rep_is_not_offered_the_reassignment(new_page: Callable[..., Any], rep: User) -> None:
    lead = _lead(rep)
    page = new_page(rep)
    page.goto(f"/people/{lead.pk}/")
    assert page.locator("[data-section=actions]").is_visible()
    assert page.get_by_text("Reassign").count() == 0


def test_a_marketer_proposes_a_change_and_a_sales_manager_approves_it(
    new_page: Callable[..., Any], marketer: User, manager: User
) -> None:
    page = new_page(marketer)
    _nav(page, "Contract")
    page.get_by_role("link", name="Propose a change").click()
    page.wait_for_load_state("load")
    text = page.get_by_label("Contract (YAML)").input_value()
    assert "  min_grade: B\n" in text
    page.get_by_label("Contract (YAML)").fill(text.replace("  min_grade: B\n", "  min_grade: C\n"))
    page.get_by_label("Why (shown to the signers)").fill("more MQLs for the new reps")
    page.get_by_role("button", name="Propose").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/contract/v2/")
    assert page.get_by_text("mql.min_grade").first.is_visible()
    page.get_by_role("button", name="Approve v2").click()
    page.wait_for_load_state("load")
    assert active_version().number == 1  # one team's signature is not enough

    other = new_page(manager)
    _nav(other, "Contract")
    other.locator("[data-section=drafts]").get_by_role("link", name="v2").click()
    other.wait_for_load_state("load")
    other.get_by_role("button", name="Approve v2").click()
    other.wait_for_load_state("load")
    assert other.get_by_text("v2 is now the active contract").is_visible()
    assert active_version().number == 2
    assert other.get_by_text("fit grade C or better").is_visible()


@pytest.fixture
def company(db: None) -> dict[str, User]:
    seed_company(leads=240, seed=5, now=timezone.now() - timedelta(hours=1))
    users = {name: User.objects.get(username=name) for name in ("maya", "nina", "rachel")}
    for user in users.values():
        user.set_password("pw-" + user.username)
        user.save(update_fields=["password"])
    return users


def test_a_marketer_shares_a_content_view_by_its_url(
    new_page: Callable[..., Any], company: dict[str, User]
) -> None:
    page = new_page(company["maya"])
    _nav(page, "Marketing")
    # htmx pushes the address before it swaps the section in, and a choice equal to the
    # one shown changes no address at all: wait until htmx is idle before the next choice.
    idle = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    total = page.locator("#attribution [data-figure=attribution-total]")
    for label, value, shown in (
        ("Outcome", "revenue", "revenue by"),
        ("Level", "content", "revenue by content"),
        ("Model", "linear", "Linear · revenue by content"),
    ):
        page.locator("#attribution form.picker").get_by_label(label).select_option(value)
        page.wait_for_url(f"**{label.lower()}={value}**")
        page.wait_for_function(idle)
        expect(total).to_contain_text(shown)
    shared = page.url
    mine = page.locator("#attribution [data-figure=attribution-total]").inner_text()
    assert "revenue by content" in mine
    content = page.locator("#content table").first.inner_text()

    colleague = new_page(company["nina"])
    colleague.goto(shared)
    assert colleague.locator("#attribution [data-figure=attribution-total]").inner_text() == mine
    picker = colleague.locator("#attribution form.picker")
    assert picker.get_by_label("Model").input_value() == "linear"
    assert picker.get_by_label("Level").input_value() == "content"
    assert colleague.locator("#content table").first.inner_text() == content


def test_a_new_user_reaches_every_answer_from_home_by_links_alone(
    new_page: Callable[..., Any], company: dict[str, User]
) -> None:
    page = new_page(company["nina"])
    page.goto("/")
    answers = page.locator("[data-section=answers]")

    # Why a lead went to its rep, and why it scored as it did.
    answers.get_by_role("link", name="Why did a lead go to its rep").click()
    page.wait_for_load_state("load")
    page.locator("form[role=search] select[name=stage]").select_option("mql")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    page.locator("table[data-table=leads] tbody tr a[href^='/people/']").first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="why this rep", exact=True).click()
    routed = page.locator("#why-routed")
    assert routed.is_visible()
    assert routed.locator("[data-field=why]").first.inner_text().strip()
    page.get_by_role("link", name="why this score", exact=True).click()
    words = page.locator("#why-score [data-field=score-words]").inner_text()
    assert words.startswith("It scores ")

    # Which content brought in revenue.
    page.goto("/")
    page.locator("[data-section=answers]").get_by_role(
        "link", name="Which content brought in revenue?"
    ).click()
    page.wait_for_load_state("load")
    total = page.locator("#attribution [data-figure=attribution-total]").inner_text()
    assert "revenue by content" in total
    assert page.locator("#attribution table[data-table=attribution] tbody tr").count() > 0

    # Which content misinforms prospects.
    page.goto("/")
    page.locator("[data-section=answers]").get_by_role(
        "link", name="Which content misinforms prospects?"
    ).click()
    page.wait_for_load_state("load")
    assert page.locator("#misinformed").is_visible()

    # Whether each team meets its SLA.
    page.goto("/")
    page.locator("[data-section=answers]").get_by_role(
        "link", name="Is each team meeting its SLA?"
    ).click()
    sla = page.locator("#sla")
    assert sla.locator("[data-team=sales]").is_visible()
    assert sla.locator("[data-team=marketing]").is_visible()


def test_a_marketer_reaches_last_quarters_content_revenue_from_home_and_shares_it(
    new_page: Callable[..., Any], company: dict[str, User]
) -> None:
    page = new_page(company["maya"])
    page.goto("/")
    # One click from Home.
    page.locator("[data-section=answers]").get_by_role(
        "link", name="Content behind last quarter's revenue"
    ).click()
    page.wait_for_load_state("load")
    assert "period=last-quarter" in page.url
    headline = page.locator("[data-figure=period-revenue]")
    expect(headline).to_contain_text("Revenue closed in Q")
    expect(headline).to_contain_text(", by content")
    assert headline.is_visible()
    assert page.get_by_label("Conversions closed").input_value() == "last-quarter"
    named = page.locator("table[data-table=period-content] tbody").inner_text()
    assert overflow_px(page) == 0

    colleague = new_page(company["nina"], PHONE)
    colleague.goto(page.url)
    assert colleague.locator("[data-figure=period-revenue]").inner_text() == headline.inner_text()
    assert colleague.locator("table[data-table=period-content] tbody").inner_text() == named
    assert overflow_px(colleague) == 0


def test_on_a_phone_a_rep_works_the_inbox_as_cards_without_sideways_scrolling(
    new_page: Callable[..., Any], rep: User
) -> None:
    first = _lead(rep)
    second = factories.person(
        email="ada.berg@acme.example", first_name="Ada", last_name="Berg", owner=rep, stage="mql"
    )
    page = new_page(rep, PHONE)
    page.goto("/inbox/")
    frame = page.locator("[data-frame=inbox] .table-scroll")
    assert frame.evaluate("(el) => el.scrollWidth - el.clientWidth") == 0
    assert overflow_px(page) == 0
    card = page.locator(f"tr#lead-{first.pk}")
    accept = card.get_by_role("button", name="Accept")
    box = accept.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]
    accept.click()
    page.locator(f"tr#lead-{first.pk}").get_by_text("Accepted.").wait_for()
    assert Person.objects.get(pk=first.pk).stage == "sal"

    card = page.locator(f"tr#lead-{first.pk}")
    card.get_by_text("Log activity").click()
    card.get_by_label("Kind").select_option("call")
    card.get_by_label("What happened").fill("left a voicemail")
    assert overflow_px(page) == 0
    card.get_by_role("button", name="Log").click()
    page.locator(f"tr#lead-{first.pk}").get_by_text("Call logged.").wait_for()
    assert SalesActivity.objects.get(person=first).kind == "call"

    other = page.locator(f"tr#lead-{second.pk}")
    other.get_by_text("Reject").first.click()
    other.get_by_label("Reason").select_option(index=1)
    assert overflow_px(page) == 0
    other.get_by_role("button", name="Reject").click()
    page.locator(f"tr#lead-{second.pk}").get_by_role("status").wait_for()
    assert Person.objects.get(pk=second.pk).stage != "mql"
