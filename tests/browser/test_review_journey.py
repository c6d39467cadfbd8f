"""An adviser carries out a caseload review and her supervisor signs it off, in Chromium.

The adviser starts the review, decides on each case by keyboard and mouse, is
told what is missing when she submits too early, writes the reflection and
submits; the supervisor reads the pack and signs it off. axe-core checks
every page.
"""

import pytest
from playwright.sync_api import expect

from reviews.models import CaseloadReview
from tests.browser.journeys import click_and_check, nav, sign_in, sign_out
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _decide(page, reference: str, decision: str, comment: str = "") -> None:
    click_and_check(page, page.get_by_role("link", name=f"Decide on {reference}"))
    page.get_by_label(decision).check()
    if comment:
        page.get_by_label("Comment").fill(comment)
    click_and_check(page, page.get_by_role("button", name="Save decision"))


def test_an_adviser_completes_a_review_and_her_supervisor_signs_it_off(
    page, live_server, alice, carol
):
    first = CaseFactory(assigned_to=alice)
    second = CaseFactory(assigned_to=alice)

    sign_in(page, "alice")
    click_and_check(page, nav(page).get_by_role("link", name="Caseload reviews"))
    expect(page.get_by_text("one is due now")).to_be_visible()
    click_and_check(page, page.get_by_role("button", name="Start a review of my caseload"))
    expect(page.get_by_role("heading", name="Caseload review: Alice Adams")).to_be_visible()

    _decide(page, first.reference, "Continue as now")
    # Submitting before everything is done says what is missing and keeps the page.
    click_and_check(page, page.get_by_role("button", name="Submit for sign-off"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(second.reference)
    expect(alert).to_contain_text("reflection")

    _decide(page, second.reference, "Escalate to the supervisor", "Court date brought forward")
    expect(page.get_by_text("Court date brought forward")).to_be_visible()
    click_and_check(page, page.get_by_role("link", name="Write the reflection"))
    page.get_by_label("Seasonal demand").check()
    page.get_by_label("Improvements identified").fill("Book follow-ups at the first meeting.")
    page.get_by_label("Agreed actions for the supervisor").fill("Ask for cover in January.")
    click_and_check(page, page.get_by_role("button", name="Save reflection"))
    click_and_check(page, page.get_by_role("button", name="Submit for sign-off"))
    expect(
        page.get_by_text("Your supervisor has been asked to sign the review off.")
    ).to_be_visible()
    sign_out(page)

    sign_in(page, "carol")
    click_and_check(page, nav(page).get_by_role("link", name="Caseload reviews"))
    click_and_check(page, page.get_by_role("row", name="Alice Adams").get_by_role("link"))
    expect(page.get_by_text("Awaiting sign-off")).to_be_visible()
    expect(page.get_by_text("Ask for cover in January.")).to_be_visible()
    page.get_by_label("Supervisor's comment").fill("A careful review.")
    click_and_check(page, page.get_by_role("button", name="Sign off"))
    expect(page.get_by_text("Signed off", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Decide on")).to_have_count(0)

    review = CaseloadReview.objects.get()
    assert review.is_signed_off
    assert review.signed_off_by == carol
    assert {d.decision for d in review.decisions.all()} == {"continue", "escalate"}


def test_returning_a_review_sends_the_comment_typed_in_the_sign_off_box(
    page, live_server, alice, carol
):
    from tests.reviews.test_caseload_reviews import _submitted

    review = _submitted(alice, carol)

    sign_in(page, "carol")
    click_and_check(page, nav(page).get_by_role("link", name="Caseload reviews"))
    click_and_check(page, page.get_by_role("row", name="Alice Adams").get_by_role("link"))
    page.get_by_label("Supervisor's comment").fill("Say more about the eviction case.")
    click_and_check(page, page.get_by_role("button", name="Return with comments"))

    expect(page.get_by_text("Returned to the adviser with your comments.")).to_be_visible()
    review.refresh_from_db()
    assert review.status == CaseloadReview.Status.RETURNED
    assert review.supervisor_comment == "Say more about the eviction case."
