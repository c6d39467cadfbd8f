"""In Chromium, axe on every page: an adviser makes a personal API token from her account
menu, sees it once, and opens the API's documentation (Swagger UI served by Caseload,
under the strict script policy: any CSP violation fails the test)."""

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from tests.browser.journeys import click_and_check, open_menu, sign_in
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_adviser_makes_a_token_from_her_account_menu_and_reads_the_api_docs(page, alice):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "alice")

    open_menu(page)
    page.get_by_role("button", name="Alice Adams").click()
    click_and_check(page, page.get_by_role("link", name="API tokens"))
    page.get_by_label("Name").fill("Weekly figures")
    click_and_check(page, page.get_by_role("button", name="Make the token"))

    token = ApiToken.objects.get(user=alice)
    secret = page.get_by_label("Token for “Weekly figures”")
    expect(secret).to_have_value(f"cl_{token.prefix}_" + secret.input_value().split("_", 2)[2])
    expect(page.get_by_role("table", name="Your personal API tokens")).to_contain_text(
        "Weekly figures"
    )

    click_and_check(page, page.get_by_role("link", name="Caseload API"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Caseload API")
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/referrals/")
    # An operation opened shows its parameters and a highlighted example body.
    page.locator("#operations-v1-referrals_create .opblock-summary-control").click()
    expect(page.locator("#operations-v1-referrals_create")).to_contain_text("Idempotency-Key")
    expect(page.locator("#operations-v1-referrals_create")).to_contain_text("consent_reference")
    assert_accessible(page)
