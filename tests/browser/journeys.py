"""Steps every browser journey takes: signing in and out, following links, the menu.

Each page reached is checked with axe-core (``assert_accessible``).
"""

import re
from datetime import date

from playwright.sync_api import expect

from cases.models import User
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, totp_code


def click_and_check(page, locator) -> None:
    """Follow a link or submit a form, wait for the next page, and check it."""
    with page.expect_navigation():
        locator.click()
    assert_accessible(page)


def sign_in(page, username: str) -> None:
    """Sign in with the password, then the code the person's authenticator app shows."""
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    click_and_check(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code").fill(totp_code(User.objects.get(username=username)))
    click_and_check(page, page.get_by_role("button", name="Continue"))


def open_menu(page) -> None:
    """On a narrow screen, open the folded header menu; on a wide one it is already open."""
    toggler = page.get_by_role("button", name="Show or hide the menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))


def open_account_menu(page) -> None:
    """Open the menu under the signed-in person's name: password, two-step sign-in, sign out."""
    open_menu(page)
    page.get_by_role("button", name=re.compile(r"^Signed in as ")).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page) -> None:
    open_account_menu(page)
    click_and_check(page, page.get_by_role("button", name="Sign out"))
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def nav(page):
    """The main menu in the header."""
    return page.get_by_role("navigation", name="Main")


def day(value: date) -> str:
    """A date as our pages show it, like 5 Mar 2025."""
    return f"{value:%-d %b %Y}"
