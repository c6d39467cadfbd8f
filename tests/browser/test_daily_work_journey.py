"""A working day in Chromium, on a phone (390 px) and a laptop (1366 px): the caseload
says what is overdue, a note clears it at once, and the notifications about it are
grouped, marked dealt with, dismissed and tuned. axe-core checks every page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from priorities import services as priority_services
from priorities.models import DeadlineFlag, Timescale
from priorities.sweep import sweep_deadlines
from tests.browser.journeys import click_and_check, nav, open_menu, sign_in
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(390, id="phone"), pytest.param(1366, id="laptop")]


def _overdue_case(adviser):
    """A housing case opened three weeks ago with no contact since, swept today."""
    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(case_type=housing, level="green", first_contact_days=2)
    case = CaseFactory(assigned_to=adviser, case_type=housing)
    weeks_ago = timezone.now() - dt.timedelta(days=21)
    Case.objects.filter(pk=case.pk).update(
        created_at=weeks_ago, opened_on=timezone.localdate(weeks_ago)
    )
    case = priority_services.case_refresh_due_dates(Case.objects.get(pk=case.pk))
    assert case.first_contact_due_on < timezone.localdate()
    sweep_deadlines()
    return case


def _menu(page, width):
    """The main menu, opened first on a phone, where it folds behind a button."""
    open_menu(page)  # on a phone, waits until it has opened
    return nav(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_adviser_sees_what_is_overdue_and_a_note_clears_it_at_once(page, alice, width):
    case = _overdue_case(alice)
    page.set_viewport_size({"width": width, "height": 900})
    assert DeadlineFlag.objects.filter(case=case, cleared_at__isnull=True).exists()

    sign_in(page, "alice")
    click_and_check(page, _menu(page, width).get_by_role("link", name="My caseload"))
    expect(page.get_by_text("First contact overdue").first).to_be_visible()

    click_and_check(page, page.get_by_role("link", name=case.reference).first)
    expect(page.get_by_text("First contact overdue").first).to_be_visible()
    form = page.get_by_role("region", name="Add a note")
    form.get_by_label("How", exact=True).select_option("phone")
    form.get_by_label("What happened (facts)").fill("Rang the client about the notice.")
    form.get_by_label("Agreed next steps").fill("Meet on Monday with the tenancy agreement.")
    click_and_check(page, form.get_by_role("button", name="Save note"))

    # The same response shows the case without the flag its note has met.
    expect(page.get_by_text("First contact overdue")).to_have_count(0)
    assert not DeadlineFlag.objects.filter(case=case, cleared_at__isnull=True).exists()

    # The notifications about it are one line per case and kind, marked dealt with.
    click_and_check(page, _menu(page, width).get_by_role("link", name="Notifications"))
    group = page.get_by_role("listitem").filter(has_text=case.reference)
    expect(group).to_have_count(1)
    expect(group).to_contain_text("Dealt with")
    click_and_check(page, group.get_by_role("button", name="Dismiss").first)
    expect(page.get_by_role("listitem").filter(has_text=case.reference)).to_have_count(0)
    assert not Notification.objects.filter(recipient=alice, dismissed_at__isnull=True).exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_supervisor_chooses_to_hear_of_deadlines_in_the_app_only(page, carol, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "carol")
    click_and_check(page, _menu(page, width).get_by_role("link", name="Notifications"))
    click_and_check(page, page.get_by_role("link", name="How you hear of them"))
    deadlines = page.get_by_role("group", name=Kind.DEADLINE.label)
    deadlines.get_by_label(Delivery.IN_APP.label).check()
    click_and_check(page, page.get_by_role("button", name="Save"))

    preference = NotificationPreference.objects.get(user=carol, kind=Kind.DEADLINE)
    assert preference.delivery == Delivery.IN_APP
