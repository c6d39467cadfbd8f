"""Journeys through signing in, in a real Chromium, with axe-core checking every page."""

import pytest

from tests.browser.journeys import click_and_check, open_account_menu, sign_in
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, SupervisorFactory, totp_code

# Transactional, so that the live server thread sees the test's data.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _sign_in(page, username: str, password: str) -> None:
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("persona", "path", "heading"),
    [
        ("alice", "/caseload/", "My caseload"),
        ("carol", "/team/", "Team dashboard"),
        ("erin", "/organisation/", "Organisation"),
    ],
)
def test_each_role_signs_in_to_its_own_home_page(
    page, live_server, request, persona, path, heading
):
    user = request.getfixturevalue(persona)

    _sign_in(page, user.username, PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your code"
    page.get_by_label("Code").fill(totp_code(user))
    click_and_check(page, page.get_by_role("button", name="Continue"))

    assert page.url == live_server.url + path
    assert page.get_by_role("heading", level=1).inner_text() == heading
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name=heading).get_attribute("aria-current") == "page"


def test_a_wrong_password_shows_an_error_and_starts_no_session(page, alice):
    _sign_in(page, "alice", "not the password")

    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").is_visible()
    assert "correct username and password" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Username").input_value() == "alice"
    assert page.get_by_label("Password").input_value() == ""
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page, alice):
    sign_in(page, "alice")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_signing_out_returns_to_the_sign_in_page(page, alice):
    sign_in(page, "alice")

    open_account_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert_accessible(page)

    assert "/accounts/login/" in page.url
    page.goto("/caseload/")
    assert_accessible(page)
    assert "/accounts/login/" in page.url


def test_a_supervisor_without_an_app_sets_one_up_and_is_shown_recovery_codes(page, roles):
    from binascii import unhexlify

    from django_otp.oath import totp

    lead = SupervisorFactory(username="newlead", two_factor=False)

    _sign_in(page, lead.username, PASSWORD)

    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-step sign-in"
    assert page.get_by_role(
        "img", name="QR code that adds Caseload to an authenticator app"
    ).is_visible()
    secret = page.locator("#totp-secret").inner_text()
    code = totp(unhexlify(_key_of(secret)))
    page.get_by_label("Code from your app").fill(f"{code:06d}")
    click_and_check(page, page.get_by_role("button", name="Turn on two-step sign-in"))
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert page.get_by_role("list", name="Recovery codes").get_by_role("listitem").count() == 10
    click_and_check(page, page.get_by_role("link", name="I have kept them, carry on"))
    assert page.get_by_role("heading", level=1).inner_text() == "Team dashboard"


def _key_of(secret: str) -> str:
    from base64 import b32decode

    return b32decode(secret + "=" * (-len(secret) % 8)).hex()
