"""In Chromium, on a phone (390 px) and a laptop (1366 px), axe on every page: an adviser
records on the client page that the client withdrew a consent, reads on the confirmation
exactly what will end, gives a reason, and the share resting on it ends."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import CaseEvent, CaseShare
from notifications.models import Notification
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.factories import CaseFactory, ConsentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(390, id="phone"), pytest.param(1366, id="laptop")]


@pytest.mark.parametrize("width", WIDTHS)
def test_an_adviser_withdraws_a_consent_from_the_client_page_and_the_share_ends(
    page, alice, bob, width
):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(
        client=case.client, scope="colleagues", shared_with="The advice team", recorded_by=alice
    )
    share = services.case_share(
        case=case,
        shared_with=bob,
        level=CaseShare.Level.VIEW,
        reason="Bob covers the Tuesday drop-in",
        consent=consent,
        expires_on=date.today() + timedelta(days=14),
        shared_by=alice,
    )
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, "alice")
    page.goto(f"/clients/{case.client_id}/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name="Record that it was withdrawn"))

    # The confirmation says exactly what ends, and nothing has ended yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Record that {case.client.reference} withdrew a consent"
    )
    ends = page.get_by_role("list", name="What ends when you withdraw it")
    expect(ends).to_contain_text(f"Share of {case.reference} with {bob.display_name}")
    share.refresh_from_db()
    assert share.revoked_at is None

    page.get_by_label("Reason for withdrawing").fill("The client asked us to stop sharing.")
    click_and_check(
        page, page.get_by_role("button", name="Withdraw consent and end what rests on it")
    )
    expect(page.get_by_role("status")).to_contain_text("Consent withdrawn: 1 share ended.")
    expect(page.get_by_text("Withdrawal recorded by")).to_be_visible()
    share.refresh_from_db()
    assert share.revoked_at is not None
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CONSENT_ENDED)
    assert event.summary == f"Consent withdrawn: share with {bob.display_name} ended"
    assert Notification.objects.filter(recipient=bob).exists()

    # The case's timeline shows it.
    click_and_check(page, page.get_by_role("link", name=case.reference))
    expect(
        page.get_by_text(f"Consent withdrawn: share with {bob.display_name} ended")
    ).to_be_visible()
