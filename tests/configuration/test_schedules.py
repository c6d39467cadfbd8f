"""The schedules page: every job in plain words, changed within bounds, never over
another admin's change."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from caseload.schedules import describe, schedule_token
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SWEEP = "priorities.tasks.sweep_deadlines_task"
DIGEST = "notifications.tasks.send_notification_digest_task"
REPORTS = "reviews.tasks.generate_review_reports_task"
OUTBOX = "notifications.tasks.outbox_send_task"


def _task(name: str) -> PeriodicTask:
    return PeriodicTask.objects.select_related("interval", "crontab").get(task=name)


def _edit_url(name: str) -> str:
    return reverse("configuration:schedule_edit", args=[_task(name).pk])


def test_an_admin_sees_every_job_in_plain_words(erin):
    page = client_for(erin).get(reverse("configuration:schedules"))

    html = page.content.decode()
    assert page.status_code == 200
    for words in ("Every 15 minutes", "Every day at 08:00", "Every Monday at 07:00"):
        assert words in html
    assert "Deadline sweep" in html
    assert "No run recorded yet" in html
    assert _edit_url(SWEEP) in html
    assert _edit_url(OUTBOX) not in html  # plumbing: shown, not changed


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_people_without_the_admin_role_cannot_see_or_change_schedules(request, who):
    person = client_for(request.getfixturevalue(who))

    assert person.get(reverse("configuration:schedules")).status_code == 403
    refused = person.post(_edit_url(DIGEST), {"at": "09:00", "token": "x"})
    assert refused.status_code == 403
    assert describe(_task(DIGEST)) == "Every day at 08:00"


def test_an_admin_moves_the_weekly_reports_to_friday_morning(erin):
    task = _task(REPORTS)
    response = client_for(erin).post(
        _edit_url(REPORTS),
        {"weekday": "5", "at": "06:30", "enabled": "on", "token": schedule_token(task)},
    )

    assert response.status_code == 302
    assert describe(_task(REPORTS)) == "Every Friday at 06:30"


def test_a_time_out_of_bounds_is_refused_beside_the_field_with_the_text_kept(erin):
    task = _task(DIGEST)
    response = client_for(erin).post(
        _edit_url(DIGEST), {"at": "01:30", "enabled": "on", "token": schedule_token(task)}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_at_error"' in html
    assert "clocks change" in html
    assert 'value="01:30"' in html
    assert describe(_task(DIGEST)) == "Every day at 08:00"


def test_an_interval_not_offered_is_refused_beside_the_field(erin):
    task = _task(SWEEP)
    response = client_for(erin).post(
        _edit_url(SWEEP), {"every_minutes": "1", "token": schedule_token(task)}
    )

    assert response.status_code == 400
    assert 'id="id_every_minutes_error"' in response.content.decode()
    assert describe(_task(SWEEP)) == "Every 15 minutes"


def test_the_sweep_offers_no_way_to_pause_it(erin):
    html = client_for(erin).get(_edit_url(SWEEP)).content.decode()

    assert 'name="enabled"' not in html
    assert "cannot be paused" in html


def test_the_plumbing_has_no_edit_page(erin):
    assert client_for(erin).get(_edit_url(OUTBOX)).status_code == 404


def test_the_second_of_two_admins_is_told_and_sees_the_first_ones_change(erin):
    first = client_for(erin)
    second = client_for(erin)
    drawn = second.get(_edit_url(DIGEST)).context["form"]["token"].value()
    first.post(_edit_url(DIGEST), {"at": "09:00", "enabled": "on", "token": drawn})

    response = second.post(_edit_url(DIGEST), {"at": "10:15", "enabled": "on", "token": drawn})

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved a change here" in html
    assert "Every day at 09:00" in html  # what is saved now
    assert "Time (UK time): 10:15" in html  # what they typed
    assert describe(_task(DIGEST)) == "Every day at 09:00"
