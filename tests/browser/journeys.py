"""Steps every browser journey takes: signing in and out, following links, the menu.

Each page reached is checked with axe-core (``assert_accessible``).
"""

import re
from datetime import date

from playwright.sync_api import expect

from tests.conftest import assert_accessible
from tests.factories import PASSWORD


def click_and_check(page, locator) -> None:
    """Follow a link or submit a form, wait for the next page, and check it."""
    with page.expect_navigation():
        locator.click()
    assert_accessible(page)


def sign_in(page, username: str) -> None:
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    click_and_check(page, page.get_by_role("button", name="Sign in"))


def sign_out(page) -> None:
    click_and_check(page, page.get_by_role("button", name="Sign out"))
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def nav(page):
    """The main menu in the header."""
    return page.get_by_role("navigation", name="Main")


def day(value: date) -> str:
    """A date as our pages show it, like 5 Mar 2025."""
    return f"{value:%-d %b %Y}"
