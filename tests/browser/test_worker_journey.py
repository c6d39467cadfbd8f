"""Journeys through what the background worker makes, in a real Chromium, with axe-core.

After the deadline sweep an adviser sees her unread notifications in the
header, follows one to the case and sees its breached flag; a supervisor opens
the weekly caseload review report and downloads it as CSV and as PDF.
"""

import csv
import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseType
from notifications.models import Notification
from priorities.models import DeadlineFlag, Level, Timescale
from priorities.sweep import sweep_deadlines
from reviews.models import CaseloadReport
from reviews.services import report_generate, week_of
from tests.browser.journeys import click_and_check, day, nav, sign_in
from tests.factories import CaseFactory, CaseTypeFactory, ClientFactory

# Transactional, so that the live server thread sees the test's data (see
# tests/browser/test_case_journey.py for why never serialised rollback).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _housing_with_first_contact_next_day() -> CaseType:
    """First contact within 1 working day at every level; everything else far off."""
    housing = CaseTypeFactory(name="Housing")
    for level in (Level.RED, Level.AMBER, Level.GREEN):
        Timescale.objects.create(
            case_type=housing,
            level=level,
            first_contact_days=1,
            contact_interval_days=60,
            review_days=90,
            close_days=180,
        )
    return housing


# --- the adviser hears of a breached first contact ------------------------------------------


def test_after_the_sweep_an_adviser_sees_her_unread_notification_and_the_breached_flag(
    page, live_server, alice
):
    # A family name no page word can match by chance (Faker may give "Green").
    case = CaseFactory(
        assigned_to=alice,
        case_type=_housing_with_first_contact_next_day(),
        client=ClientFactory(family_name="Quillfeather", created_by=alice),
    )
    family_name = case.client.family_name
    due = case.first_contact_due_on
    assert due is not None
    a_week_late = timezone.make_aware(datetime.combine(due + timedelta(days=7), time(9)))
    assert sweep_deadlines(now=a_week_late).raised == 1
    assert list(DeadlineFlag.objects.values_list("deadline", "stage")) == [
        (DeadlineFlag.Deadline.FIRST_CONTACT, DeadlineFlag.Stage.BREACHED)
    ]
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 1

    sign_in(page, "alice")
    notifications_link = nav(page).get_by_role("link", name=re.compile(r"^Notifications"))
    expect(notifications_link).to_have_accessible_name("Notifications 1 unread")
    expect(notifications_link.locator(".badge")).to_have_text("1 unread")
    expect(notifications_link.locator(".badge .visually-hidden")).to_have_text(" unread")

    click_and_check(page, notifications_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    items = page.get_by_role("main").get_by_role("listitem")
    expect(items).to_have_count(1)
    item = items.first
    expect(item).to_contain_text("New")
    expect(item).to_contain_text(f"{case.reference}: first contact breached ({due:%-d %b %Y}).")
    # Messages carry case references, never the client's name.
    expect(page.get_by_role("main")).not_to_contain_text(family_name)

    click_and_check(page, item.get_by_role("link", name=f"Open {case.reference}"))
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    due_dates = page.get_by_role("region", name="Due dates (working days)")
    flag = due_dates.get_by_role("listitem").filter(has_text="First contact")
    expect(flag).to_have_count(1)
    expect(flag).to_have_text(f"Breached First contact, {day(due)}")
    expect(flag.locator(".badge")).to_have_text("Breached")
    expect(due_dates.locator("dt:text-is('First contact') + dd")).to_have_text(day(due))

    # Reading the notification page leaves it unread until she marks them all.
    expect(notifications_link).to_have_accessible_name("Notifications 1 unread")
    click_and_check(page, notifications_link)
    click_and_check(page, page.get_by_role("button", name="Mark all as read"))
    expect(page).to_have_url(f"{live_server.url}/notifications/")
    expect(notifications_link).to_have_accessible_name("Notifications")
    expect(notifications_link.locator(".badge")).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("listitem")).to_contain_text(
        [f"{case.reference}: first contact breached"]
    )
    expect(page.get_by_role("main").get_by_text("New", exact=True)).to_have_count(0)
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


# --- the supervisor reads and downloads the weekly report -----------------------------------

CSV_HEADER = [
    "Adviser",
    "Open cases",
    "Red",
    "Amber",
    "Green",
    "Not assessed",
    "With overdue actions",
    "Deadline approaching",
    "Deadline breached",
    "Stalled",
    "Assessment due",
    "Load",
    "Capacity",
    "Load %",
    "Opened",
    "Closed",
]


def test_a_supervisor_opens_the_weekly_report_and_downloads_it_as_csv_and_pdf(page, alice, carol):
    first = CaseFactory(
        assigned_to=alice, client=ClientFactory(family_name="Quillfeather", created_by=alice)
    )
    CaseFactory(assigned_to=alice)
    monday, sunday = week_of(first.opened_on)
    assert monday.weekday() == 0
    report, created = report_generate(supervisor=carol, period_start=monday, email=False)
    assert created
    assert report.data["advisers"][0]["adviser"] == "Alice Adams"

    sign_in(page, "carol")
    click_and_check(page, nav(page).get_by_role("link", name="Reports", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload review reports")
    click_and_check(page, page.get_by_role("link", name=f"Week of {day(monday)}"))
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload review report")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        f"Week of {day(monday)} to {day(sunday)}"
    )

    table = page.get_by_role("table", name="Caseload per adviser")
    alice_row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Alice Adams", exact=True)
    )
    expect(alice_row).to_have_count(1)
    # The dashboard's figures (open, red, amber, green, not assessed, with overdue
    # actions, approaching, breached, stalled, assessment due), then load, capacity,
    # load %, opened and closed.
    expect(alice_row.get_by_role("cell")).to_have_text(
        ["2", "0", "0", "0", "2", "0", "0", "0", "0", "2", "2.0", "40.0", "5", "2", "0"]
    )
    expect(page.get_by_text(first.client.family_name)).to_have_count(0)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    download = csv_download.value
    assert download.suggested_filename == f"caseload-report-{monday.isoformat()}.csv"
    rows = list(csv.reader(download.path().read_text(encoding="utf-8").splitlines()))
    assert rows == [
        CSV_HEADER,
        [
            "Alice Adams",
            "2",
            "0",
            "0",
            "0",
            "2",
            "0",
            "",
            "",
            "0",
            "2",
            "2.0",
            "40.0",
            "5",
            "2",
            "0",
        ],
    ]

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    download = pdf_download.value
    assert download.suggested_filename == f"caseload-report-{monday.isoformat()}.pdf"
    assert download.path().read_bytes().startswith(b"%PDF-")

    # Downloads are not page loads; the report page is still the one shown.
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    assert CaseloadReport.objects.count() == 1
