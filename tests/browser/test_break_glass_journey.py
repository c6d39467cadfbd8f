"""Break the glass end to end: an adviser opens a restricted case, its supervisor reviews
the use from the dashboard, and a request past the day's limit waits for approval."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import BreakGlassReview
from priorities.models import Organisation
from tests.browser.journeys import click_and_check, nav, sign_in, sign_out
from tests.conftest import assert_accessible
from tests.factories import CaseFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

REASON = "The client is at reception in crisis and their adviser is off sick today."


def test_a_use_is_reviewed_and_a_request_past_the_limit_waits_for_the_supervisor(
    page, alice, bob, carol, dave, sam
):
    restricted = CaseFactory(assigned_to=alice, restricted=True)
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 1})

    # Bob breaks the glass on his team-mate's restricted case.
    sign_in(page, "bob")
    page.goto("/cases/break-glass/")
    assert_accessible(page)
    page.get_by_label("Case reference").fill(restricted.reference)
    page.get_by_label("Why you need this case now").fill(REASON)
    click_and_check(page, page.get_by_role("button", name="Open the restricted case"))
    expect(page.get_by_role("status")).to_contain_text(f"You have access to {restricted.reference}")

    # Past his limit, a second request waits for his supervisor.
    page.goto("/cases/break-glass/")
    assert_accessible(page)
    page.get_by_label("Case reference").fill("CASE-999999")
    page.get_by_label("Why you need this case now").fill(REASON)
    click_and_check(page, page.get_by_role("button", name="Open the restricted case"))
    expect(page.get_by_role("status")).to_contain_text("gone to your supervisor")
    sign_out(page)

    # Carol reviews the use from her dashboard, and declines the request for no case.
    sign_in(page, "carol")
    click_and_check(page, nav(page).get_by_role("link", name="Team dashboard"))
    click_and_check(page, page.get_by_role("link", name="Break-the-glass requests and reviews"))
    waiting = page.get_by_role("region", name="Requests waiting for you")
    expect(waiting).to_contain_text("No restricted case with this reference")
    click_and_check(page, waiting.get_by_role("button", name="Decline"))
    expect(page.get_by_role("status")).to_contain_text("decided")
    click_and_check(page, page.get_by_role("link", name=re.compile(r"^Review the access")))
    expect(page.get_by_text(REASON)).to_be_visible()
    page.get_by_label("Reviewed: the access was justified").check()
    click_and_check(page, page.get_by_role("button", name="Record review"))
    expect(page.get_by_role("status")).to_contain_text("Review recorded")
    assert BreakGlassReview.objects.get().reviewer == carol
