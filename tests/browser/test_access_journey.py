"""A service manager gives a newcomer the Adviser role and a place in a team, in Chromium,
with axe-core checking every page."""

import pytest
from playwright.sync_api import expect

from caseload.roles import Role
from cases.models import User
from tests.browser.journeys import click_and_check, nav, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Joined the North team as a housing adviser this week"


def test_a_service_manager_gives_a_newcomer_a_role_and_a_team(page, north, alice):
    UserFactory(username="mia", first_name="Mia", last_name="Moss", roles=[Role.SERVICE_MANAGER])
    UserFactory(username="newcomer", first_name="Nat", last_name="New")

    sign_in(page, "mia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Access")
    click_and_check(page, page.get_by_role("link", name="Nat New"))

    page.get_by_label("What to change").select_option(label="Give the Adviser role")
    page.get_by_label("Reason").fill("ok")
    click_and_check(page, page.get_by_role("button", name="Make this change"))
    expect(page.get_by_role("alert")).to_contain_text("Reason")

    page.get_by_label("What to change").select_option(label="Give the Adviser role")
    page.get_by_label("Reason").fill(REASON)
    click_and_check(page, page.get_by_role("button", name="Make this change"))
    page.get_by_label("What to change").select_option(label="Add to North")
    page.get_by_label("Reason").fill(REASON)
    click_and_check(page, page.get_by_role("button", name="Make this change"))

    expect(page.get_by_role("status")).to_contain_text("Access of Nat New changed")
    expect(page.get_by_role("table")).to_contain_text("Granted: member of North")
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.groups.filter(name="Adviser").exists()
    assert north.members.filter(pk=newcomer.pk).exists()

    click_and_check(page, nav(page).get_by_role("link", name="Access"))
    expect(page.get_by_role("table").last).to_contain_text(REASON)
