"""The data protection officer's retention journey in Chromium, on a phone (390 px) and a
laptop (1366 px), axe on every page: review the clients due for disposal (a dry run that
erases nobody), approve, see the tombstones once the worker has erased them; place a
legal hold; restrict processing of a client and add a file note to their case."""

import pytest
from playwright.sync_api import expect

from caseload.crypto import ERASED
from cases.models import Client
from dataprotection.erasure_services import disposal_run_carry_out
from dataprotection.models import DisposalRun, LegalHold, ProcessingRestriction
from notes.models import CaseNote
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.dataprotection.retention_world import closed_case, years_ago
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(390, id="phone"), pytest.param(1366, id="laptop")]


def _area_menu(page, name: str) -> None:
    click_and_check(
        page, page.get_by_role("navigation", name="Data protection").get_by_role("link", name=name)
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dpo_reviews_approves_and_sees_the_tombstone_then_holds_and_restricts(
    page, alice, dina, width
):
    due = closed_case(alice, closed_on=years_ago(7))
    due_name = due.client.family_name
    kept = CaseFactory(assigned_to=alice)
    frozen = CaseFactory(assigned_to=alice)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "dina")

    # The dry run: references, counts and dates, no names, and nothing erased yet.
    page.goto("/data-protection/")
    assert_accessible(page)
    _area_menu(page, "Retention and disposal")
    click_and_check(page, page.get_by_role("button", name="List the clients due now"))
    listed = page.get_by_role("region", name="Clients on this list")
    expect(listed).to_contain_text(due.client.reference)
    expect(listed).to_contain_text("72 months")
    expect(page.locator("body")).not_to_contain_text(due_name)
    assert Client.objects.get(pk=due.client_id).family_name == due_name

    expect(page.get_by_label(due.client.reference)).to_be_checked()
    page.get_by_label("Reason for approving").fill("Six years since the last case closed")
    click_and_check(page, page.get_by_role("button", name="Approve erasure"))
    expect(page.get_by_text("Approved, being carried out")).to_be_visible()

    # The worker's part, then the tombstone.
    disposal_run_carry_out(run_id=DisposalRun.objects.get().pk)
    assert Client.objects.get(pk=due.client_id).family_name == ERASED
    click_and_check(page, page.get_by_role("link", name="Retention and disposal").first)
    click_and_check(page, page.get_by_role("link", name="Erased clients"))
    erased = page.get_by_role("region", name="Erased clients")
    expect(erased).to_contain_text(due.client.reference)
    expect(erased).to_contain_text("Six years since the last case closed")

    # A legal hold.
    click_and_check(page, page.get_by_role("link", name="Legal holds"))
    page.get_by_label("Client reference").fill(kept.client.reference)
    page.get_by_label("Reason").fill("Claim issued in the county court")
    click_and_check(page, page.get_by_role("button", name="Place the hold"))
    expect(page.get_by_role("region", name="Legal holds")).to_contain_text(kept.client.reference)
    assert LegalHold.objects.get().client_id == kept.client_id

    # Restriction of processing, and the DPO's file note on the frozen case.
    _area_menu(page, "Restriction of processing")
    page.get_by_label("Client reference").fill(frozen.client.reference)
    page.get_by_label("Reason").fill("The client contests the accuracy of the record")
    click_and_check(page, page.get_by_role("button", name="Restrict processing"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Restriction on {frozen.client.reference}"
    )
    page.get_by_label("Case", exact=True).select_option(str(frozen.pk))
    page.get_by_label("File note", exact=True).fill("Restriction confirmed to the client by letter")
    click_and_check(page, page.get_by_role("button", name="Add the file note"))
    assert ProcessingRestriction.objects.get().client_id == frozen.client_id
    assert CaseNote.objects.get(case=frozen).author == dina
