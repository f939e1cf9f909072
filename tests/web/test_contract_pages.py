"""The contract's pages: the version in force read in words, history, diff, backtest, signing."""

from __future__ import annotations

import pytest
from django.test import Client

from revloop.contracts.actions import do_propose_contract
from revloop.contracts.models import ContractVersion
from revloop.contracts.versions import active_version
from revloop.engine.contract import default_contract_text
from revloop.users.models import User
from tests.contract_helpers import WIDER

pytestmark = pytest.mark.django_db


def test_the_contract_in_force_reads_as_rules_weights_thresholds_and_slas(
    client: Client, viewer: User
) -> None:
    client.force_login(viewer)
    html = client.get("/contract/").content.decode()
    assert "<h1>Lead contract v1" in html
    assert "becomes an MQL when" in html
    assert "fit grade B or better" in html
    assert "First touch within" in html
    assert "MQLs a week." in html
    assert 'data-table="fit-rules"' in html
    assert 'data-table="engagement-rules"' in html
    assert "Installed by revloop as the first contract" in html
    assert "Propose a change" not in html  # a viewer proposes nothing


def test_an_account_without_a_role_reads_no_contract(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    for url in ("/contract/", "/contract/v1/", "/contract/diff/", "/contract/v1/backtest/"):
        assert client.get(url).status_code == 403, url


def test_a_marketer_proposes_and_a_sales_manager_approves(
    client: Client, marketer: User, manager: User
) -> None:
    client.force_login(marketer)
    form = client.get("/contract/propose/").content.decode()
    assert "min_grade: B" in form  # the text in force, ready to edit
    response = client.post("/contract/propose/", {"text": WIDER, "note": "more MQLs"})
    assert response.status_code == 302
    assert response["Location"] == "/contract/v2/"
    page = client.get("/contract/v2/").content.decode()
    assert "mql.min_grade" in page
    assert "Still needs: marketing, sales_manager." in page
    client.post("/contract/v2/approve/")
    assert "Still needs: sales_manager." in client.get("/contract/v2/").content.decode()
    assert active_version().number == 1

    client.force_login(manager)
    response = client.post("/contract/v2/approve/")
    assert response["Location"] == "/contract/"
    assert active_version().number == 2
    html = client.get("/contract/").content.decode()
    assert "<h1>Lead contract v2" in html
    assert "Signed by <strong>mia</strong> (marketing)" in html
    assert "<strong>mona</strong> (sales_manager)" in html
    assert "fit grade C or better" in html


def test_a_rep_and_a_viewer_may_neither_propose_nor_approve(
    client: Client, rep: User, viewer: User, marketer: User
) -> None:
    draft = do_propose_contract(WIDER, by=marketer)
    for user in (rep, viewer):
        client.force_login(user)
        assert client.post("/contract/propose/", {"text": WIDER + "\n# again"}).status_code == 403
        assert client.post(f"/contract/v{draft.number}/approve/").status_code == 403
        assert client.post(f"/contract/v{draft.number}/reject/", {"note": "no"}).status_code == 403
        assert "Approve v2" not in client.get("/contract/v2/").content.decode()
    assert ContractVersion.objects.count() == 2
    assert ContractVersion.objects.get(number=2).status == "draft"
    assert not ContractVersion.objects.get(number=2).approvals.exists()


def test_a_sales_manager_rejects_a_draft_with_a_reason(
    client: Client, marketer: User, manager: User
) -> None:
    do_propose_contract(WIDER, by=marketer)
    client.force_login(manager)
    client.post("/contract/v2/reject/", {"note": ""})
    assert ContractVersion.objects.get(number=2).status == "draft"  # a reason is required
    client.post("/contract/v2/reject/", {"note": "grade C floods the reps"})
    version = ContractVersion.objects.get(number=2)
    assert version.status == "withdrawn"
    log = client.get("/contract/v2/").content.decode()
    assert "withdrawn by mona: grade C floods the reps" in log


def test_a_broken_proposal_says_what_is_wrong_and_stores_nothing(
    client: Client, marketer: User
) -> None:
    client.force_login(marketer)
    bad = default_contract_text().replace("  min_grade: B\n", "  min_grade: Z\n", 1)
    response = client.post("/contract/propose/", {"text": bad})
    assert response.status_code == 400
    assert "mql.min_grade: unknown value" in response.content.decode()
    assert ContractVersion.objects.count() == 1


def test_the_diff_between_any_two_versions(client: Client, viewer: User, marketer: User) -> None:
    do_propose_contract(WIDER, by=marketer)
    client.force_login(viewer)
    html = client.get("/contract/diff/?from=1&to=2").content.decode()
    assert "1 change" in html
    assert "<code>mql.min_grade</code>: B → <strong>C</strong>" in html
    back = client.get("/contract/diff/?from=2&to=1").content.decode()
    assert "<code>mql.min_grade</code>: C → <strong>B</strong>" in back
    assert (
        "there is no contract version 9"
        in client.get("/contract/diff/?from=1&to=9").content.decode()
    )


def test_the_backtest_page_puts_the_proposal_beside_the_contract_in_force(
    client: Client, viewer: User, marketer: User
) -> None:
    do_propose_contract(WIDER, by=marketer)
    client.force_login(viewer)
    response = client.get("/contract/v2/backtest/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Backtest of contract v2</h1>" in html
    assert "v1 (in force)" in html
    assert "Acceptance rate" in html
    assert client.get("/contract/v9/backtest/").status_code == 404
