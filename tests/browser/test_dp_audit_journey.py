"""The data protection officer looks into who has seen a client, in Chromium, axe on every
page: a client's trail found by reference and filtered (a mistyped date first), its CSV,
one member of staff's accesses, and the break-the-glass uses awaiting review."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from caseload.audit import access_record
from caseload.roles import Role
from cases import services
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The client is at reception in crisis and their adviser is off sick today."


def test_the_dpo_finds_who_has_seen_a_client_and_what_a_colleague_accessed(
    page, alice, carol, dave
):
    UserFactory(
        username="dina", first_name="Dina", last_name="Dawson", roles=[Role.DATA_PROTECTION]
    )
    case = CaseFactory(assigned_to=alice, restricted=True)
    access_record(request=None, actor=alice, objects=[case, case.client], via="case page")
    access_record(request=None, actor=carol, objects=[case], via="review CSV")
    services.break_glass(case=case, user=dave, reason=REASON)
    page.set_viewport_size({"width": 1366, "height": 900})

    # From the area's home to a client's trail, found by the client's reference.
    sign_in(page, "dina")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection")
    click_and_check(page, page.get_by_role("link", name="Who has seen what").first)
    page.get_by_label("Client or case reference").fill(case.client.reference)
    click_and_check(page, page.get_by_role("button", name="Show the trail"))
    trail = page.get_by_role("region", name="Who has seen it and what changed")
    expect(trail).to_contain_text("Carol Clark")
    expect(trail).to_contain_text("review CSV")
    expect(trail).to_contain_text(REASON)

    # A mistyped date is explained beside the field and kept; then only carol's views.
    page.get_by_label("Member of staff").select_option(label="Carol Clark")
    page.get_by_label("From").fill("31/02/2026")
    click_and_check(page, page.get_by_role("button", name="Show", exact=True))
    expect(page.get_by_role("alert")).to_contain_text("Enter a real date")
    expect(page.get_by_label("From")).to_have_value("31/02/2026")
    page.get_by_label("From").fill("")
    click_and_check(page, page.get_by_role("button", name="Show", exact=True))
    trail = page.get_by_role("region", name="Who has seen it and what changed")
    expect(trail).to_contain_text("review CSV")
    expect(trail).not_to_contain_text("case page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Carol Clark" in text
    assert "Alice Adams" not in text

    # One member of staff's accesses: dave's break the glass, with his reason.
    click_and_check(page, page.get_by_role("link", name="A staff member's accesses").first)
    page.get_by_label("Member of staff").select_option(label="Dave Davies")
    click_and_check(page, page.get_by_role("button", name="Show", exact=True))
    accesses = page.get_by_role("region", name="What they saw and changed")
    expect(accesses).to_contain_text("Broke the glass")
    expect(accesses).to_contain_text(REASON)

    # The break-the-glass uses: dave's waits for carol's review.
    click_and_check(page, page.get_by_role("link", name="Break-the-glass uses").first)
    page.get_by_label("Review").select_option(label="Awaiting review")
    click_and_check(page, page.get_by_role("button", name="Show", exact=True))
    uses = page.get_by_role("region", name="Break-the-glass uses")
    expect(uses).to_contain_text("Dave Davies")
    expect(uses).to_contain_text("Awaiting review")
    click_and_check(page, uses.get_by_role("link", name=re.compile(rf"^{case.reference}\b")))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case.reference}")
    assert_accessible(page)


def test_a_supervisor_follows_who_has_seen_this_from_the_client_and_the_case_page(
    page, alice, carol, dave
):
    case = CaseFactory(assigned_to=alice, restricted=True)
    services.break_glass(case=case, user=dave, reason=REASON)
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(page, "carol")
    page.goto(f"/clients/{case.client_id}/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name="Who has seen this"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Client {case.client.reference}")
    expect(page.get_by_role("region", name="Who has seen it and what changed")).to_contain_text(
        REASON
    )
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name="Who has seen this"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case.reference}")
    click_and_check(page, page.get_by_role("link", name="The whole client's trail"))
