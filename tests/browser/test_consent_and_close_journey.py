"""Two journeys in Chromium, on a phone (390 px) and a laptop (1366 px), axe on every page:
a review decision read beside the case's summary, then a close as "outcomes met" that asks
to confirm what is still open; and a share that needs a consent, recorded on the way.
"""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Case, CaseEvent, CaseShare, ConsentRecord
from reviews import services as review_services
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import ARTIFACTS, assert_accessible
from tests.factories import CaseFactory, ConsentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(390, id="phone"), pytest.param(1366, id="laptop")]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_close_as_outcomes_met_with_an_outcome_short_asks_to_confirm_and_why(
    page, alice, carol, width
):
    case = CaseFactory(assigned_to=alice)
    outcome = services.outcome_add(
        case=case,
        description="Keep the tenancy",
        measure="Possession claim withdrawn",
        target_date=date.today() + timedelta(days=30),
        added_by=alice,
    )
    services.outcome_progress_record(
        outcome=outcome,
        note="Plan agreed",
        status="in_progress",
        progress_percent=60,
        recorded_by=alice,
    )
    review = review_services.review_start(adviser=alice, started_by=carol)
    page.set_viewport_size({"width": width, "height": 900})

    # The supervisor decides with the case's summary beside the form (below it on a phone).
    sign_in(page, "carol")
    page.goto(f"/reviews/{review.pk}/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name=f"Decide on {case.reference}"))
    summary = page.get_by_role("region", name=f"Case {case.reference} at a glance")
    expect(summary).to_contain_text("Keep the tenancy")
    expect(summary).to_contain_text("60%")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Save decision"))
    beside = summary.bounding_box()["x"] > form.bounding_box()["x"] + 100
    assert beside is (width >= 992)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-decision-{width}.png"), full_page=True)
    page.get_by_label("Close", exact=True).check()
    page.get_by_label("Comment").fill("Arrears cleared; the rest the client can do.")
    click_and_check(page, page.get_by_role("button", name="Save decision"))

    # Carrying it out: the close form asks, keeps what was typed, and saves nothing yet.
    click_and_check(page, page.get_by_role("link", name="close the case"))
    page.get_by_label("Status").select_option("closed")
    page.get_by_label("Reason for closing").select_option("outcomes_met")
    page.get_by_label("Outcome for the client").fill("Arrears cleared with a repayment plan.")
    click_and_check(page, page.get_by_role("button", name="Change status"))
    still_open = page.get_by_role("region", name="Still open on this case")
    expect(still_open).to_contain_text("Keep the tenancy (60%, in progress)")
    expect(page.get_by_label("Outcome for the client")).to_have_value(
        "Arrears cleared with a repayment plan."
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN

    page.get_by_label("I confirm the case closes as outcomes met").check()
    page.get_by_label("Why it closes as outcomes met").fill("Client moving away next week.")
    click_and_check(page, page.get_by_role("button", name="Close the case"))
    expect(page.get_by_text("with 1 still open").first).to_be_visible()
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).first()
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    assert "Reason: Client moving away next week." in event.detail


@pytest.mark.parametrize("width", WIDTHS)
def test_a_share_needing_consent_records_one_on_the_way_and_comes_back(page, alice, bob, width):
    case = CaseFactory(assigned_to=alice)
    ConsentFactory(client=case.client, scope="referral", shared_with="Shelter", recorded_by=alice)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, "alice")
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name="Share", exact=True))
    expect(page.get_by_text("None of the client's current consents covers sharing")).to_be_visible()

    click_and_check(page, page.get_by_role("link", name="Record the client's consent"))
    expect(page.get_by_label("Scope")).to_have_value("colleagues")
    page.get_by_label("With whom").fill("Advisers covering the drop-in")
    page.get_by_label("Consent given on").fill(date.today().strftime("%d/%m/%Y"))
    page.get_by_label("How it was recorded").select_option("verbal")
    click_and_check(page, page.get_by_role("button", name="Record consent"))

    # Back on the share form, the new consent chosen.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Share {case.reference} with a colleague"
    )
    consent = ConsentRecord.objects.get(scope="colleagues")
    expect(page.get_by_label("Client consent this share relies on")).to_have_value(str(consent.pk))
    page.get_by_label("Colleague").select_option(label=bob.display_name)
    page.get_by_label("Reason for sharing").fill("Bob covers the Tuesday drop-in.")
    page.get_by_label("Access ends after").fill(
        (date.today() + timedelta(days=14)).strftime("%d/%m/%Y")
    )
    click_and_check(page, page.get_by_role("button", name="Share case"))
    expect(page.get_by_role("status")).to_contain_text("Case shared")
    assert CaseShare.objects.get().consent == consent
