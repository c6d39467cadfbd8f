"""An admin keeps the organisation's lists in the configuration area, in Chromium with
axe on every page: a case type added (a duplicate explained beside the field), a note
template for it, a weight, and the review timescale."""

import pytest
from playwright.sync_api import expect

from cases.models import CaseType
from notes.models import NoteTemplate
from reviews.models import CaseWeight, ReviewPolicy
from tests.browser.journeys import click_and_check, nav, open_menu, sign_in
from tests.factories import CaseTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_an_admin_adds_a_case_type_its_template_and_weight_and_sets_the_review_timescale(
    page, erin, width
):
    CaseTypeFactory(name="Debt")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "erin")
    open_menu(page)  # on a phone, waits until it has opened
    click_and_check(page, nav(page).get_by_role("link", name="Configuration"))
    menu = page.get_by_role("navigation", name="Configuration")

    click_and_check(page, menu.get_by_role("link", name="Case types"))
    click_and_check(page, page.get_by_role("link", name="Add a case type"))
    page.get_by_label("Name").fill("debt")
    page.get_by_label("Description").fill("Arrears, creditors and budgets")
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("alert")).to_contain_text("There is already a case type called Debt")
    expect(page.get_by_label("Description")).to_have_value("Arrears, creditors and budgets")
    page.get_by_label("Name").fill("Welfare benefits")
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("row", name="Welfare benefits")).to_be_visible()

    click_and_check(page, menu.get_by_role("link", name="Note templates"))
    click_and_check(page, page.get_by_role("link", name="Add a note template"))
    page.get_by_label("Case type").select_option(label="Welfare benefits")
    page.get_by_label("Name").fill("Mandatory reconsideration")
    page.get_by_label("Headings for what happened").fill(
        "Decision date:\nWhat the client disputes:"
    )
    click_and_check(page, page.get_by_role("button", name="Save"))

    click_and_check(page, menu.get_by_role("link", name="Case weights"))
    click_and_check(page, page.get_by_role("link", name="Add a case weight"))
    page.get_by_label("Case type").select_option(label="Welfare benefits")
    page.get_by_label("Level").select_option(label="Red")
    page.get_by_label("Points").fill("2.5")
    click_and_check(page, page.get_by_role("button", name="Save"))

    click_and_check(page, menu.get_by_role("link", name="Caseload reviews"))
    page.get_by_label("A caseload review is due every (working days)").fill("15")
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("status")).to_contain_text("every 15 working days")

    welfare = CaseType.objects.get(name="Welfare benefits")
    assert NoteTemplate.objects.filter(case_type=welfare).exists()
    assert CaseWeight.objects.get(case_type=welfare, level="red").points == 2.5
    assert ReviewPolicy.current().interval_working_days == 15


def test_an_admin_sets_the_organisation_settings_and_a_bad_value_is_explained(page, erin):
    from priorities.models import Organisation

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "erin")
    click_and_check(page, nav(page).get_by_role("link", name="Configuration"))
    menu = page.get_by_role("navigation", name="Configuration")
    click_and_check(page, menu.get_by_role("link", name="Organisation settings"))

    page.get_by_label("Sign people out after (minutes without use)").fill("2")
    page.get_by_label("A case has stalled after (working days without contact)").fill("15")
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("alert")).to_contain_text("Choose from 5 to 480 minutes.")
    expect(
        page.get_by_label("A case has stalled after (working days without contact)")
    ).to_have_value("15")

    page.get_by_label("Sign people out after (minutes without use)").fill("20")
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("status")).to_contain_text("Saved")
    settings_now = Organisation.current()
    assert (settings_now.session_idle_minutes, settings_now.stalled_after_days) == (20, 15)
