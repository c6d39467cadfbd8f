"""Journeys through clients and cases, in a real Chromium, with axe-core checking every page."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Case
from tests.browser.journeys import click_and_check, nav, sign_in, sign_out
from tests.conftest import assert_accessible
from tests.factories import CaseTypeFactory

# Transactional, so that the live server thread sees the test's data. Every
# browser module must use plain `transaction=True`: mixing in serialised
# rollback makes restores collide with content types a plain flush recreated.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_an_adviser_opens_a_case_for_a_new_client_that_a_colleague_cannot_see(
    page, live_server, alice, bob
):
    CaseTypeFactory(name="Housing")
    target = date.today() + timedelta(days=60)

    sign_in(page, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")

    # Search first, from the header's box, so no duplicate is created.
    page.get_by_role("search").get_by_label("Find a case or client").fill("Okonkwo 14/07/1985")
    click_and_check(page, page.get_by_role("search").get_by_role("button", name="Find"))
    expect(page.get_by_role("heading", name="0 clients found")).to_be_visible()

    # Nobody found: create the client, with the case that brings them to the service.
    click_and_check(page, page.get_by_role("link", name="Create a new client"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New client")
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Okonkwo")
    page.get_by_label("Date of birth").fill("14/07/1985")
    page.get_by_label("Postcode").fill("LS1 4AP")
    page.get_by_label("Case type").select_option(label="Housing")
    page.get_by_label("Presenting issue").fill("Rent arrears and a notice seeking possession")
    click_and_check(page, page.get_by_role("button", name="Save client and open case"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Okonkwo")
    expect(page.get_by_role("status")).to_contain_text("created with case")
    case = Case.objects.get()
    case_url = page.url
    assert case_url == f"{live_server.url}/cases/{case.pk}/"
    expect(page.get_by_text(f"Case {case.reference} · Housing")).to_be_visible()

    # The client's page has what was typed.
    click_and_check(page, page.get_by_role("link", name="Ada Okonkwo"))
    expect(page.get_by_text("14 Jul 1985")).to_be_visible()
    expect(page.get_by_text("LS1 4AP")).to_be_visible()
    click_and_check(page, page.get_by_role("link", name=case.reference))
    expect(page).to_have_url(case_url)

    # Plan a SMART outcome.
    click_and_check(page, page.get_by_role("link", name="Plan an outcome"))
    page.get_by_label("What the client wants to achieve").fill("Keep the tenancy")
    page.get_by_label("How we will know it is achieved").fill("Possession claim withdrawn")
    page.get_by_label("Target date").fill(target.strftime("%d/%m/%Y"))
    click_and_check(page, page.get_by_role("button", name="Add outcome"))
    expect(page).to_have_url(case_url)
    expect(page.get_by_role("status")).to_have_text("Outcome added.")
    outcomes = page.get_by_role("region", name="Outcomes")
    expect(outcomes.get_by_role("heading", name="Keep the tenancy")).to_be_visible()
    expect(outcomes).to_contain_text("Measure: Possession claim withdrawn")
    expect(outcomes).to_contain_text(f"Target: {target:%-d %b %Y}")

    # Record what stands in the way.
    click_and_check(page, page.get_by_role("link", name="Record an obstacle"))
    page.get_by_label("Type of obstacle").select_option(label="Awaiting a third party")
    page.get_by_label("Description").fill("Waiting for the landlord's rent statement")
    click_and_check(page, page.get_by_role("button", name="Record obstacle"))
    expect(page).to_have_url(case_url)
    expect(page.get_by_role("status")).to_have_text("Obstacle recorded.")
    obstacles = page.get_by_role("region", name="Obstacles")
    expect(obstacles).to_contain_text("Awaiting a third party")
    expect(obstacles).to_contain_text("Waiting for the landlord's rent statement")

    # The case is on alice's caseload.
    click_and_check(page, nav(page).get_by_role("link", name="My caseload"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=case.reference))
    expect(row).to_contain_text("Ada Okonkwo")
    expect(row).to_contain_text("Housing")

    # Bob, in the same team but not shared with, gets "Page not found".
    sign_out(page)
    sign_in(page, "bob")
    response = page.goto(case_url)
    assert_accessible(page)
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Ada Okonkwo")).to_have_count(0)


def test_an_impossible_date_of_birth_is_explained_and_keeps_what_was_typed(page, alice):
    sign_in(page, "alice")
    click_and_check(page, page.get_by_role("link", name="New client"))

    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Okonkwo")
    page.get_by_label("Date of birth").fill("31/02/1990")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save client and open case").click()
    assert_accessible(page)
    assert navigation.value.status == 400

    message = "Enter a real date as day/month/year, like 27/3/2025."
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link", name=f"Date of birth: {message}")).to_be_visible()
    expect(summary).to_be_focused()

    date_of_birth = page.get_by_label("Date of birth")
    expect(date_of_birth).to_have_attribute("aria-invalid", "true")
    # The hint and the error are read out with the field.
    expect(date_of_birth).to_have_accessible_description(f"For example 27/3/1990 Error: {message}")
    expect(date_of_birth).to_have_value("31/02/1990")
    expect(page.locator("#id_date_of_birth_error")).to_have_text(f"Error: {message}")
    expect(page.get_by_label("Given name")).to_have_value("Ada")
    expect(page.get_by_label("Family name")).to_have_value("Okonkwo")

    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name=f"Date of birth: {message}").click()
    expect(date_of_birth).to_be_focused()


def test_a_supervisor_allocates_a_referred_case_from_the_queue(page, north, alice, bob, carol):
    case = services.referral_in(
        team=north,
        case_type=CaseTypeFactory(name="Housing"),
        agency="Shelter",
        contact="",
        reason="Client needs specialist housing advice",
        presenting_issue="Section 21 notice received",
        received_by=carol,
        client_fields={
            "given_name": "Grace",
            "family_name": "Hopper",
            "date_of_birth": None,
            "email": "",
            "phone": "",
            "address": "",
            "postcode": "",
            "communication_needs": "",
            "reasonable_adjustments": "",
            "vulnerabilities": "",
            "vulnerability_notes": "",
        },
    )

    sign_in(page, "carol")
    click_and_check(page, nav(page).get_by_role("link", name="Unallocated"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Unallocated cases")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=case.reference))
    expect(row).to_contain_text("Grace Hopper")
    expect(row).to_contain_text("North")

    click_and_check(page, row.get_by_role("link", name=f"Allocate {case.reference}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Allocate {case.reference}")
    adviser = page.get_by_label("New adviser")
    expect(adviser.get_by_role("option", name="Bob Baker")).to_have_count(1)
    adviser.select_option(label="Alice Adams")
    page.get_by_label("Handover note").fill("Shelter referred her; the notice expires soon.")
    click_and_check(page, page.get_by_role("button", name="Allocate"))

    # Back on the queue, which no longer lists the case.
    expect(page.get_by_role("heading", level=1)).to_have_text("Unallocated cases")
    expect(page.get_by_role("status")).to_have_text(f"{case.reference} is now with Alice Adams.")
    expect(page.get_by_role("link", name=case.reference)).to_have_count(0)
    expect(page.get_by_text("No cases are waiting.")).to_be_visible()

    case.refresh_from_db()
    assert case.assigned_to == alice
