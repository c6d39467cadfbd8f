"""The header's search box, in a real Chromium at a laptop's and a phone's width, with axe-core
checking every page: from search to a saved note in two page loads, and a menu on one line."""

from datetime import date

import pytest
from playwright.sync_api import expect

from notes.models import CaseNote
from notifications.models import Kind
from notifications.services import notify
from tests.browser.journeys import click_and_check, nav, open_menu, sign_in
from tests.conftest import ARTIFACTS
from tests.factories import CaseFactory, ClientFactory

# Transactional, so that the live server thread sees the test's data. Every
# browser module must use plain `transaction=True`: mixing in serialised
# rollback makes restores collide with content types a plain flush recreated.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _search_box(page):
    return page.get_by_role("search").get_by_label("Find a case or client")


def _menu_tops(page) -> list[int]:
    """The distance from the top of the page of every link and button in the header's menu."""
    return page.eval_on_selector_all(
        "#main-nav .nav-link, #main-nav .site-search",
        "nodes => nodes.map(n => Math.round(n.getBoundingClientRect().top))",
    )


def _screenshot(page, name: str) -> None:
    """Keep a picture of the header for people to look at (the CI keeps the artifacts)."""
    (ARTIFACTS / "screens").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screens" / f"{name}.png"))


def _menu_on_one_line(page) -> None:
    tops = _menu_tops(page)
    assert tops, "no menu items found"
    heights = page.eval_on_selector_all(
        "#main-nav .nav-link", "nodes => nodes.map(n => n.getBoundingClientRect().height)"
    )
    # One line: every item starts within one item's height of every other.
    assert max(tops) - min(tops) < min(heights), tops
    # Nothing runs off the right-hand edge.
    right = page.eval_on_selector_all(
        "#main-nav .nav-link, #main-nav .site-search",
        "nodes => Math.max(...nodes.map(n => n.getBoundingClientRect().right))",
    )
    assert right <= page.viewport_size["width"], right
    # And the header is one bar high, not two.
    header = page.eval_on_selector(".site-header .navbar", "n => n.getBoundingClientRect().height")
    assert header < 2 * min(heights) + 20, header


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1366px", "390px"])
def test_an_adviser_finds_a_case_by_name_and_date_of_birth_and_logs_a_note_in_two_page_loads(
    page, live_server, alice, size
):
    case = CaseFactory(
        assigned_to=alice,
        client=ClientFactory(
            given_name="Ada", family_name="Okonkwo", date_of_birth=date(1985, 7, 14)
        ),
    )
    page.set_viewport_size(size)
    sign_in(page, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")

    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))

    # One: the search, which goes straight to the only match; nothing personal in the URL.
    open_menu(page)
    box = _search_box(page)
    expect(box).to_be_visible()
    if size is LAPTOP:
        # At a keyboard, "/" reaches the box from anywhere outside a field.
        page.get_by_role("heading", level=1).click()
        page.keyboard.press("/")
        expect(box).to_be_focused()
    box.fill("Okonkwo 14/7/1985")
    click_and_check(page, page.get_by_role("search").get_by_role("button", name="Find"))
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    assert "Okonkwo" not in page.url
    assert "1985" not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Okonkwo")

    # "Add a note" at the top goes to the form on the same page, without a load.
    page.get_by_role("link", name="Add a note").click()
    form = page.get_by_role("region", name="Add a note")
    expect(form.get_by_label("Date of contact")).to_be_focused()
    form.get_by_label("How", exact=True).select_option(label="Phone")
    form.get_by_label("What happened (facts)").fill("Client phoned about the rent arrears.")
    form.get_by_label("Agreed next steps").fill("Write to the landlord this week.")

    # Two: the note saved.
    click_and_check(page, form.get_by_role("button", name="Save note"))
    expect(page.get_by_role("status")).to_have_text("Note saved.")
    assert CaseNote.objects.filter(case=case).count() == 1
    assert len(loads) == 2, loads


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1366px", "390px"])
def test_a_supervisor_lists_several_matches_and_an_unknown_reference_keeps_the_text(
    page, alice, bob, carol, size
):
    born = date(1990, 3, 12)
    one = CaseFactory(
        assigned_to=alice, client=ClientFactory(family_name="Quill", date_of_birth=born)
    )
    two = CaseFactory(
        assigned_to=bob, client=ClientFactory(family_name="Quill", date_of_birth=born)
    )
    page.set_viewport_size(size)
    sign_in(page, "carol")

    open_menu(page)
    _search_box(page).fill("Quill 12/03/1990")
    click_and_check(page, page.get_by_role("search").get_by_role("button", name="Find"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a case or client")
    expect(page.get_by_role("heading", name="2 clients found")).to_be_visible()
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name=one.reference)).to_be_visible()
    expect(results.get_by_role("link", name=two.reference)).to_be_visible()
    # The page's own box keeps what was typed, and the header has no second box.
    expect(page.get_by_label("Find a case or client")).to_have_value("Quill 12/03/1990")
    expect(page.get_by_role("search")).to_have_count(0)

    page.get_by_label("Find a case or client").fill("CASE-999999")
    click_and_check(page, page.get_by_role("button", name="Find", exact=True))
    expect(
        page.get_by_role("heading", name="No case you can see has the reference CASE-999999")
    ).to_be_visible()
    expect(page.get_by_label("Find a case or client")).to_have_value("CASE-999999")


@pytest.mark.parametrize(
    ("who", "width"),
    # Each role at 1366 px, and the longest menu at 1200 px, the narrowest that unfolds it.
    [("alice", 1366), ("carol", 1366), ("erin", 1366), ("carol", 1200)],
)
def test_each_roles_menu_fits_on_one_line_on_a_laptop(page, alice, carol, erin, who, width):
    # A busy week: a three-figure unread count in the menu as well.
    for number in range(120):
        notify(recipients=[carol, alice], kind=Kind.OTHER, message=f"Item {number}")
    page.set_viewport_size({**LAPTOP, "width": width})
    sign_in(page, who)

    expect(page.get_by_role("button", name="Show or hide the menu")).to_be_hidden()
    _screenshot(page, f"header-{who}-{width}")
    _menu_on_one_line(page)
    expect(page.get_by_role("search")).to_have_count(0 if who == "erin" else 1)


def test_at_390_pixels_the_menu_folds_behind_the_toggler_and_opens_with_the_search_box(page, carol):
    page.set_viewport_size(PHONE)
    sign_in(page, "carol")

    toggler = page.get_by_role("button", name="Show or hide the menu")
    expect(toggler).to_be_visible()
    expect(nav(page).get_by_role("link", name="Team dashboard")).to_be_hidden()
    open_menu(page)
    expect(nav(page).get_by_role("link", name="Team dashboard")).to_be_visible()
    box = _search_box(page)
    expect(box).to_be_visible()
    _screenshot(page, "header-carol-390-open")
    # Wide enough to read what is typed: most of the phone's width.
    width = box.evaluate("n => n.getBoundingClientRect().width")
    assert width > 250, width
