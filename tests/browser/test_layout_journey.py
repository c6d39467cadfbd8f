"""Every role's main pages fit a 390-px phone and a 1366-px laptop, in Chromium.

Each person signs in once and opens the pages they use most. Every page is
looked at 1366 and 390 pixels wide: it must not scroll sideways, every long
unbroken word on it (a client's family name, a URL pasted into a note, an
adviser's surname, a reason typed for an access change) must wrap inside the
screen, tables of cases must turn into cards on the phone, and axe-core checks
it at both widths. A full-page screenshot of each goes into BROWSER_SCREENSHOTS
(default tests/browser/screenshots/, which git ignores) for people to look at.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caseload.roles import Role
from cases import people
from cases import services as case_services
from cases.models import Case, User
from notes import services as note_services
from notifications.models import Kind
from notifications.services import notify
from reviews import services as review_services
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.factories import (
    AdviserFactory,
    CaseFactory,
    CaseTypeFactory,
    ClientFactory,
    UserFactory,
    published_criteria,
)
from tests.personas import CRISIS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS") or Path(__file__).resolve().parent / "screenshots"
)
# Checked wide first, then narrow: the screenshot of each is taken after its checks.
WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}

# Long words with no place to break, as people type them.
FAMILY_NAME = "Wolfeschlegelsteinhausenbergerdorffvoralternwaren"
SURNAME = "Featherstonehaughcholmondeleymarjoribanks"
URL = "https://documents.example.org/view?ref=" + "Hx7qK2mZ" * 18


def _long_words_on_screen(page, word: str) -> list[dict[str, float]]:
    """Where each visible piece of text holding ``word`` starts and ends across the
    screen, and whether it fits within it.

    Text only for screen readers (clipped to one pixel), in a closed <details> or
    in a <select>'s options takes no room on the screen and is left out."""
    return page.evaluate(
        """word => {
            const found = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                if (!node.data.includes(word)) continue;
                const hidden = ".visually-hidden, .visually-hidden-focusable, option, script";
                if (node.parentElement.closest(hidden)) continue;
                const range = document.createRange();
                range.selectNodeContents(node);
                const boxes = Array.from(range.getClientRects()).filter(box => box.width > 0);
                if (!boxes.length) continue;
                const left = Math.min(...boxes.map(box => box.left));
                const right = Math.max(...boxes.map(box => box.right));
                found.push({left, right, fits: left >= 0 && right <= window.innerWidth + 0.5});
            }
            return found;
        }""",
        word,
    )


def _card_tables_that_scroll(page) -> list[str]:
    """Tables of cases still wider than their box (they should be cards on a phone)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("table.table-cards"))
            .filter(table => !table.hasAttribute("data-cards")
                || table.parentElement.scrollWidth > table.parentElement.clientWidth)
            .map(table => table.querySelector("caption").textContent.trim())"""
    )


def _scroll_boxes_keyboards_cannot_reach(page) -> list[str]:
    """Boxes that scroll sideways now but are not a focusable, named region."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("main *"))
            .filter(box => ["auto", "scroll"].includes(getComputedStyle(box).overflowX)
                && box.scrollWidth > box.clientWidth)
            .filter(box => !(box.tabIndex === 0 && box.getAttribute("role") === "region"
                && box.getAttribute("aria-label")))
            .map(box => box.outerHTML.slice(0, 80))"""
    )


def _too_wide(page) -> list[str]:
    """The first few elements that reach past the right edge of the screen, to say why."""
    return page.evaluate(
        """() => Array.from(document.body.querySelectorAll("*"))
            .filter(element => element.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(element => {
                // Inside a box that scrolls or clips, it is that box's business.
                for (let box = element.parentElement; box; box = box.parentElement) {
                    if (getComputedStyle(box).overflowX !== "visible") return false;
                }
                return true;
            })
            .slice(0, 5)
            .map(element => `${element.tagName.toLowerCase()}.${element.getAttribute("class")}`
                + ` (${Math.round(element.getBoundingClientRect().right)} px)`)"""
    )


def _table_roles_in_browser(page) -> set[str]:
    """The roles Chromium gives the page's nodes in its own accessibility tree (what a
    screen reader is told), not Playwright's reading of the markup."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    return {node["role"]["value"] for node in nodes if "role" in node}


def check_fits(page, who: str, name: str, *, long_words: tuple[str, ...] = ()) -> None:
    """The page just loaded fits both widths; screenshots of it are saved.

    ``long_words`` must each be shown on the page; any of the test's long words
    that appear anywhere on it must wrap within the screen. What does not fit
    scrolls in a box that keyboard users can reach."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        assert_accessible(page)
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (
            f"{name} for {who} scrolls sideways at {width} px ({scroll_width} > {inner_width}); "
            f"too wide: {_too_wide(page)}"
        )
        for word in (FAMILY_NAME, SURNAME, URL):
            shown = _long_words_on_screen(page, word)
            if word in long_words:
                assert shown, f"{name} for {who} at {width} px does not show {word[:20]}…"
            for box in shown:
                assert box["fits"], (
                    f"{word[:20]}… runs off the screen on {name} for {who} at {width} px: {box}"
                )
        assert not _scroll_boxes_keyboards_cannot_reach(page), f"{name} for {who} at {width} px"
        if width == "390":
            assert not _card_tables_that_scroll(page), f"{name} for {who}: a table is not cards"
        page.screenshot(path=str(SCREENSHOTS / f"{who}-{name}-{width}.png"), full_page=True)


@pytest.fixture
def world(alice: User, bob: User, carol: User, erin: User, north) -> dict[str, object]:
    """Alice's cases (one client with a long family name, and a note with a long URL),
    an adviser with a long surname, a referral waiting for an adviser, break-the-glass
    access, an access change, alice's review, carol's weekly report and notifications."""
    published_criteria()
    housing = CaseTypeFactory()
    now = timezone.now()
    mia = UserFactory(
        username="mia", first_name="Mia", last_name="Moss", roles=[Role.SERVICE_MANAGER]
    )
    dora = UserFactory(
        username="dora", first_name="Dora", last_name="Dean", roles=[Role.DATA_PROTECTION]
    )
    lena = AdviserFactory(username="lena", first_name="Lena", last_name=SURNAME)
    people.access_grant(
        user=lena,
        granted_by=mia,
        reason=f"Starting in North on Monday; contract at {URL}",
        team=north,
    )
    long_client = ClientFactory(family_name=FAMILY_NAME, created_by=alice)
    case = CaseFactory(
        assigned_to=alice, client=long_client, case_type=housing, now=now - timedelta(days=7)
    )
    note_services.note_append(
        case=case,
        author=alice,
        contact_at=now - timedelta(hours=2),
        channel="phone",
        facts=f"The landlord's notice is at {URL} and the hearing is listed.",
        next_steps="Check the notice's dates against the tenancy.",
    )
    for _ in range(2):
        CaseFactory(assigned_to=alice, case_type=housing)
    CaseFactory(assigned_to=lena, case_type=housing)
    restricted = CaseFactory(assigned_to=alice, case_type=housing, restricted=True)
    case_services.referral_in(
        team=north,
        case_type=housing,
        agency="Shelter",
        contact="Duty worker, 0300 330 1234",
        reason=f"Section 21 notice, two children; see {URL}",
        presenting_issue="Notice seeking possession",
        received_by=carol,
        client=long_client,
        urgency="red",
    )
    case_services.break_glass(case=restricted, user=bob, reason=CRISIS)
    review = review_services.review_start(adviser=alice, started_by=alice)
    review_services.review_decide(
        review=review,
        case=case,
        decision="escalate",
        comment=f"Court bundle at {URL}",
        decided_by=alice,
    )
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    report, _ = review_services.report_generate(supervisor=carol, period_start=monday, email=False)
    for person in (alice, carol, erin, mia, dora):
        notify(
            recipients=[person],
            kind=Kind.OTHER,
            message=f"A colleague shared a link: {URL}",
        )
    return {"case": case, "client": long_client, "review": review, "report": report}


def test_an_advisers_pages_fit_a_phone_and_a_laptop(page, live_server, world):
    case: Case = world["case"]
    sign_in(page, "alice")
    check_fits(page, "adviser", "caseload", long_words=(FAMILY_NAME,))
    # On the phone the cases are cards, and still a table with headings to a screen reader.
    expect(page.get_by_role("region", name="Your open cases")).to_have_attribute("tabindex", "0")
    cell = page.get_by_role("table", name="Your open cases").locator("td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    expect(cell).to_have_attribute("data-label", "Client")
    assert {"table", "row", "columnheader", "rowheader", "cell"} <= _table_roles_in_browser(page)

    page.goto(reverse("cases:case_detail", args=[case.pk]))
    check_fits(page, "adviser", "case", long_words=(FAMILY_NAME, URL))
    page.goto(reverse("cases:client_detail", args=[world["client"].pk]))
    check_fits(page, "adviser", "client", long_words=(FAMILY_NAME,))
    page.goto(reverse("cases:client_search"))
    assert_accessible(page)
    page.get_by_label("Family name").fill(FAMILY_NAME)
    click_and_check(page, page.get_by_role("button", name="Search"))
    check_fits(page, "adviser", "client-search", long_words=(FAMILY_NAME,))
    for name, url in [
        ("attention", reverse("priorities:attention")),
        ("reviews", reverse("reviews:review_list")),
    ]:
        page.goto(url)
        check_fits(page, "adviser", name)
    page.goto(reverse("reviews:review_detail", args=[world["review"].pk]))
    check_fits(page, "adviser", "review", long_words=(URL,))
    page.goto(reverse("notifications:list"))
    check_fits(page, "adviser", "notifications", long_words=(URL,))


def test_a_supervisors_pages_fit_a_phone_and_a_laptop(page, live_server, world):
    sign_in(page, "carol")
    check_fits(page, "supervisor", "team-dashboard", long_words=(SURNAME,))
    click_and_check(page, page.get_by_role("link", name=re.compile(r"open cases in North$")))
    check_fits(page, "supervisor", "team-cases", long_words=(FAMILY_NAME,))
    for name, url, long_words in [
        ("unallocated", reverse("cases:unallocated"), (FAMILY_NAME,)),
        ("attention", reverse("priorities:attention"), ()),
        ("case", reverse("cases:case_detail", args=[world["case"].pk]), (FAMILY_NAME, URL)),
        ("reviews", reverse("reviews:review_list"), ()),
        ("review", reverse("reviews:review_detail", args=[world["review"].pk]), (URL,)),
        ("reports", reverse("reviews:report_list"), ()),
        ("report", reverse("reviews:report_detail", args=[world["report"].pk]), (SURNAME,)),
        ("break-glass", reverse("cases:break_glass_queue"), ()),
        ("notifications", reverse("notifications:list"), (URL,)),
    ]:
        page.goto(url)
        check_fits(page, "supervisor", name, long_words=long_words)


def test_an_admins_pages_fit_a_phone_and_a_laptop(page, live_server, world):
    sign_in(page, "erin")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Organisation"))
    check_fits(page, "admin", "organisation")
    for name, url in [
        ("teams", reverse("reviews:organisation_teams")),
        ("notifications", reverse("notifications:list")),
    ]:
        page.goto(url)
        check_fits(page, "admin", name)


def test_a_service_managers_pages_fit_a_phone_and_a_laptop(page, live_server, world):
    sign_in(page, "mia")
    check_fits(page, "service-manager", "access", long_words=(SURNAME, URL))
    lena = User.objects.get(username="lena")
    page.goto(reverse("cases:access_person", args=[lena.pk]))
    check_fits(page, "service-manager", "access-person", long_words=(SURNAME, URL))
    page.goto(reverse("notifications:list"))
    check_fits(page, "service-manager", "notifications", long_words=(URL,))


def test_a_data_protection_officers_pages_fit_a_phone_and_a_laptop(page, live_server, world):
    sign_in(page, "dora")
    # The Data protection role starts at its own area (issue 16).
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection")
    check_fits(page, "data-protection", "home")
    page.goto(reverse("dataprotection:sar_list"))
    check_fits(page, "data-protection", "subject-access")
    page.goto(reverse("notifications:list"))
    check_fits(page, "data-protection", "notifications", long_words=(URL,))
