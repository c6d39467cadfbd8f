"""The supervisor's dashboard in a real Chromium, with axe-core and the strict CSP on.

Carol opens her dashboard, sees the charts with their tables, sorts by breached
deadlines, follows Alice's breached figure to the case and reassigns it to Bob;
back on the dashboard the figure has moved with the case.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from priorities import services as priority_services
from priorities.models import DeadlineFlag
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.factories import CaseFactory, ClientFactory, published_criteria

# Transactional, so that the live server thread sees the test's data.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _team_table(page):
    return page.get_by_role("table", name=re.compile(r"^Advisers in North"))


def test_a_supervisor_follows_a_breached_figure_to_the_case_and_reassigns_it(
    page, live_server, alice, bob, carol
):
    published_criteria()
    breached = CaseFactory(
        assigned_to=alice, client=ClientFactory(family_name="Quillfeather", created_by=alice)
    )
    priority_services.assessment_record(
        case=breached,
        answers={"safeguarding": 1, "complexity": 0},
        rationale="Risk of harm",
        assessed_by=alice,
    )
    DeadlineFlag.objects.create(
        case=breached,
        deadline=DeadlineFlag.Deadline.FIRST_CONTACT,
        due_on=timezone.localdate(),
        stage=DeadlineFlag.Stage.BREACHED,
    )
    CaseFactory(assigned_to=bob)

    sign_in(page, "carol")
    expect(page).to_have_url(f"{live_server.url}/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team dashboard")
    attention = page.get_by_role("region", name="Needs attention now")
    expect(attention.get_by_role("link", name=breached.reference)).to_have_count(2)

    # Every chart is an image with a name, drawn by our own Chart.js, with its table.
    charts = page.get_by_role("main").locator("figure")
    expect(charts).to_have_count(3)
    for index in range(3):
        chart = charts.nth(index)
        expect(chart.get_by_role("img")).to_have_attribute("aria-label", re.compile(r"\S"))
        expect(chart.locator("table caption")).to_have_count(1)
    assert page.evaluate("typeof window.Chart") == "function"
    first = charts.first
    first.get_by_text("Show the numbers as a table").click()
    table = first.get_by_role("table", name="Caseload, intake and closures per week in North")
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(13)
    assert_accessible(page)

    # Sorting works by plain links, and says which way it sorts.
    click_and_check(
        page,
        _team_table(page).get_by_role(
            # Chromium puts a space before the visually hidden part of the name.
            "link",
            name=re.compile(r"^Deadline breached\s*, sort descending$"),
        ),
    )
    header = _team_table(page).get_by_role("columnheader", name=re.compile("^Deadline breached"))
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(_team_table(page).locator("tbody tr").first).to_contain_text("Alice Adams")

    click_and_check(
        page, _team_table(page).get_by_role("link", name="1 deadline breached, Alice Adams")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Deadline breached: Alice Adams")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Quillfeather")

    click_and_check(page, rows.first.get_by_role("link", name=breached.reference))
    expect(page).to_have_url(re.compile(rf"/cases/{breached.pk}/$"))
    click_and_check(page, page.get_by_role("link", name="Reassign"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reassign {breached.reference}")
    page.get_by_label("New adviser").select_option(label="Bob Baker")
    page.get_by_label("Handover note").fill("First contact is overdue; please call today.")
    click_and_check(page, page.get_by_role("button", name="Reassign"))
    expect(page.get_by_role("status")).to_have_text(f"{breached.reference} is now with Bob Baker.")

    click_and_check(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Team dashboard")
    )
    expect(
        _team_table(page).get_by_role("link", name="1 deadline breached, Bob Baker")
    ).to_be_visible()
    expect(
        _team_table(page).get_by_role("link", name="0 deadline breached, Alice Adams")
    ).to_be_visible()
    breached.refresh_from_db()
    assert breached.assigned_to == bob
