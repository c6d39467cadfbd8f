"""An admin, on a phone (390 px) and a laptop (1366 px), reads when Caseload's jobs run,
moves the daily digest (a time in the hour the clocks change is refused beside the
field), and finds the change in the change history. axe-core checks every page."""

import pytest
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from playwright.sync_api import expect

from tests.browser.journeys import click_and_check, nav, open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(390, id="phone"), pytest.param(1366, id="laptop")]


def _schedules() -> None:
    """The jobs the migrations schedule, which an earlier transactional test's flush may
    have removed."""
    every_15, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="Sweep case deadlines",
        defaults={"task": "priorities.tasks.sweep_deadlines_task", "interval": every_15},
    )
    for name, task, hour, weekday in [
        (
            "Daily notification digest email",
            "notifications.tasks.send_notification_digest_task",
            "8",
            "*",
        ),
        ("Weekly caseload review reports", "reviews.tasks.generate_review_reports_task", "7", "1"),
    ]:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour=hour, day_of_week=weekday, timezone="Europe/London"
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab}
        )


def _menu(page, width):
    open_menu(page)  # on a phone, waits until it has opened
    return nav(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_moves_the_digest_and_finds_the_change_in_the_history(page, erin, width):
    from priorities.tasks import sweep_deadlines_task

    _schedules()
    sweep_deadlines_task.apply()
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, "erin")
    click_and_check(page, _menu(page, width).get_by_role("link", name="Configuration"))
    area = page.get_by_role("navigation", name="Configuration")
    click_and_check(page, area.get_by_role("link", name="Schedules"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedules")
    sweep = page.get_by_role("listitem").filter(has_text="Deadline sweep")
    expect(sweep).to_contain_text("Every 15 minutes")
    expect(sweep).to_contain_text("Succeeded: 0 new flags")
    expect(page.get_by_role("listitem").filter(has_text="Weekly caseload")).to_contain_text(
        "Every Monday at 07:00"
    )

    click_and_check(page, page.get_by_role("link", name="Change Daily notification digest"))
    page.get_by_label("Time (UK time)").fill("01:30")
    click_and_check(page, page.get_by_role("button", name="Save schedule"))
    expect(page.locator("#id_at_error")).to_contain_text("clocks change")
    expect(page.get_by_label("Time (UK time)")).to_have_value("01:30")

    page.get_by_label("Time (UK time)").fill("09:15")
    click_and_check(page, page.get_by_role("button", name="Save schedule"))
    expect(page.get_by_text("Daily notification digest schedule saved.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="Daily notification digest")
    ).to_contain_text("Every day at 09:15")

    area = page.get_by_role("navigation", name="Configuration")
    click_and_check(page, area.get_by_role("link", name="Change history"))
    entry = page.get_by_role("listitem").filter(has_text="Changed schedule")
    expect(entry).to_contain_text("by Erin Evans")
    expect(entry.get_by_role("row").filter(has_text="When it runs")).to_contain_text(
        "Every day at 08:00"
    )
    expect(entry.get_by_role("row").filter(has_text="When it runs")).to_contain_text(
        "Every day at 09:15"
    )
    page.get_by_label("Section").select_option(label="Schedules")
    page.get_by_label("Changed by").select_option(label="Erin Evans")
    click_and_check(page, page.get_by_role("button", name="Show", exact=True))
    expect(page.get_by_role("listitem").filter(has_text="Changed schedule")).to_have_count(1)
