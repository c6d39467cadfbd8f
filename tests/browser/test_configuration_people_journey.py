"""An admin runs People and teams from the configuration area, in Chromium, with axe on
every page: she invites a newcomer, changes an adviser's hours, deactivates a leaver
whose case goes back to the team's queue, and adds a team; on a phone the list of
people scrolls in its own box."""

import pytest
from playwright.sync_api import expect

from cases.models import AdviserProfile, Case, Team, User
from tests.browser.journeys import click_and_check, nav, sign_in
from tests.conftest import assert_accessible
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _area_menu(page):
    return page.get_by_role("navigation", name="Configuration")


def test_an_admin_invites_changes_hours_deactivates_and_adds_a_team(page, alice, bob, carol, erin):
    leaving = CaseFactory(assigned_to=bob)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "erin")
    click_and_check(page, nav(page).get_by_role("link", name="Configuration"))
    click_and_check(page, _area_menu(page).get_by_role("link", name="People and teams"))
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.get_by_role("row", name="Alice Adams")).to_contain_text("Adviser")

    click_and_check(page, page.get_by_role("link", name="Invite someone"))
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Username").fill("nia")
    click_and_check(page, page.get_by_role("button", name="Send the invitation"))
    expect(page.get_by_role("status")).to_contain_text("Nia Newcomer has been invited")

    page.goto(f"/configuration/people/{alice.pk}/")
    assert_accessible(page)
    page.get_by_label("FTE").fill("1.5")
    click_and_check(page, page.get_by_role("button", name="Save details"))
    expect(page.get_by_role("alert")).to_contain_text("FTE cannot be more than 1.00")
    page.get_by_label("FTE").fill("0.6")
    click_and_check(page, page.get_by_role("button", name="Save details"))
    assert str(AdviserProfile.objects.get(user=alice).fte) == "0.60"

    page.goto(f"/configuration/people/{bob.pk}/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name="Deactivate Bob Baker"))
    page.get_by_label("Handover note").fill("The client expects a call on Friday.")
    page.get_by_label("I understand").check()
    click_and_check(page, page.get_by_role("button", name="Deactivate"))
    expect(page.get_by_role("status")).to_contain_text("1 open case went back to the team queue")
    assert not User.objects.get(pk=bob.pk).is_active
    assert Case.objects.get(pk=leaving.pk).assigned_to is None

    click_and_check(
        page,
        page.get_by_role("navigation", name="Configuration").get_by_role(
            "link", name="People and teams"
        ),
    )
    click_and_check(page, page.get_by_role("link", name="Teams", exact=True))
    page.get_by_label("Team name").fill("East")
    click_and_check(page, page.get_by_role("button", name="Add the team"))
    expect(page.get_by_role("row", name="East")).to_be_visible()
    assert Team.objects.filter(name="East").exists()


def test_on_a_phone_the_list_of_people_scrolls_in_its_own_box(page, alice, erin):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "erin")
    page.goto("/configuration/people/")
    assert_accessible(page)
    region = page.get_by_role("region", name="People")
    expect(region).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
