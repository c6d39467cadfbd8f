"""An admin sets timescales and the calendar from the configuration area, on a phone
(390 px) and a laptop (1366 px): a bad value is answered beside its field, the save says
how many cases' due dates move, a bank holiday closure is warned of. axe checks every page."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from priorities.models import ClosureDay, Organisation, Timescale
from tests.browser.journeys import click_and_check, nav, open_menu, sign_in
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(390, id="phone"), pytest.param(1366, id="laptop")]


def _open_menu(page, width):
    open_menu(page)  # on a phone, waits until it has opened
    return nav(page)


def _no_sideways_scroll(page):
    """The page itself does not scroll sideways (a wide table scrolls in its own region)."""
    scrolled = page.evaluate(
        """() => {
            window.scrollTo(2000, window.scrollY);
            const x = window.scrollX;
            window.scrollTo(0, window.scrollY);
            return x;
        }"""
    )
    assert scrolled == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_sets_a_case_types_timescales_and_the_calendar(page, alice, erin, width):
    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(case_type=housing, level="green", first_contact_days=5)
    CaseFactory(assigned_to=alice, case_type=housing)
    christmas = date(timezone.localdate().year + 1, 12, 25)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, "erin")
    click_and_check(page, _open_menu(page, width).get_by_role("link", name="Configuration"))
    area = page.get_by_role("navigation", name="Configuration")
    click_and_check(page, area.get_by_role("link", name="Timescales"))

    # The grid: missing rows said as the sweep treats them, in its own scrolling region.
    grid = page.get_by_role("region", name="Timescales by case type and level, in working days")
    expect(grid.get_by_text("Follows Green")).to_be_visible()
    expect(grid.get_by_text("No timescale: cases at Red get no due dates from it")).to_be_visible()
    _no_sideways_scroll(page)
    grid.focus()
    expect(grid).to_be_focused()

    click_and_check(page, page.get_by_role("link", name="Edit the timescales for Housing"))
    red = page.get_by_role("group", name="Red")
    red.get_by_label("First contact within").fill("1")
    red.get_by_label("Reassess every").fill("0")
    save = page.get_by_role("button", name="Save the timescales for Housing")
    click_and_check(page, save)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(
        "Red: Reassess every: Reassessment must be at least 1 working day"
    )
    red = page.get_by_role("group", name="Red")
    expect(red.get_by_label("First contact within")).to_have_value("1")  # text kept
    assert not Timescale.objects.filter(level="red").exists()

    red.get_by_label("Reassess every").fill("20")
    unassessed = page.get_by_role("group", name="Not yet assessed")
    unassessed.get_by_label("Have their own timescale, below").check()
    unassessed.get_by_label("First contact within").fill("2")
    click_and_check(page, page.get_by_role("button", name="Save the timescales for Housing"))
    expect(page.get_by_text("Saved the timescales for Housing.")).to_contain_text(
        "The due dates of 1 open case are being recalculated"
    )
    assert Timescale.objects.get(case_type=housing, level="unassessed").first_contact_days == 2
    _no_sideways_scroll(page)

    # The calendar: the nation, then a closure on a bank holiday, warned of and confirmed.
    area = page.get_by_role("navigation", name="Configuration")
    click_and_check(page, area.get_by_role("link", name="Calendar"))
    page.get_by_label("Scotland").check()
    click_and_check(page, page.get_by_role("button", name="Save the nation"))
    expect(page.get_by_text("Bank holidays now follow Scotland.")).to_be_visible()
    assert Organisation.current().nation == "SCT"

    page.get_by_label("Date").fill(f"{christmas:%d/%m/%Y}")
    page.get_by_label("Reason").fill("Christmas shutdown")
    click_and_check(page, page.get_by_role("button", name="Add the closure day"))
    expect(page.get_by_text("is already a bank holiday (Christmas Day)")).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_value("Christmas shutdown")
    page.get_by_label("Add it all the same").check()
    click_and_check(page, page.get_by_role("button", name="Add the closure day"))
    expect(
        page.get_by_text(f"Closed on {christmas:%-d %b %Y} (Christmas shutdown).")
    ).to_be_visible()
    assert ClosureDay.objects.filter(day=christmas).exists()

    # The year view of the closure's year, and the next.
    december = page.get_by_role("table", name=f"Dec {christmas.year}")
    expect(december.get_by_text("closed: Christmas shutdown")).to_be_attached()
    _no_sideways_scroll(page)
    click_and_check(page, page.get_by_role("link", name=f"{christmas.year + 1} (next year)"))
    expect(page.get_by_role("table", name=f"Jan {christmas.year + 1}")).to_be_visible()

    click_and_check(
        page, page.get_by_role("button", name=f"Remove the closure on {christmas:%-d %b %Y}")
    )
    expect(page.get_by_text("is no longer a closure day")).to_be_visible()
    assert not ClosureDay.objects.exists()
