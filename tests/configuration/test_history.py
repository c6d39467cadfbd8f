"""The change history: configuration changes only, with who, when and before → after;
never a client's data; a fixed number of queries a page."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from caseload.audit import audit_actor
from caseload.schedules import Change, schedule_change, schedule_token
from priorities.models import Level, Timescale
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = pytest.mark.django_db

DIGEST = "notifications.tasks.send_notification_digest_task"
HISTORY = reverse("configuration:history")


@pytest.fixture
def housing(roles):
    case_type = CaseTypeFactory(name="Housing")
    Timescale.objects.create(case_type=case_type, level=Level.GREEN, first_contact_days=10)
    return case_type


def _change_in_the_admin(person, housing, days: int) -> None:
    """A change made in the emergency admin site, which only a superuser may use."""
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    response = client_for(person).post(
        reverse("admin:priorities_timescale_change", args=[green.pk]),
        {
            "case_type": housing.pk,
            "level": Level.GREEN,
            "first_contact_days": str(days),
            "approaching_mode": "default",
        },
    )
    assert response.status_code == 302


def _change_the_digest(erin, at: time) -> None:
    digest = PeriodicTask.objects.select_related("crontab").get(task=DIGEST)
    schedule_change(
        task=digest, change=Change(at=at), token=schedule_token(digest), changed_by=erin
    )


def test_a_timescale_changed_in_the_admin_shows_who_and_before_and_after(root, erin, housing):
    _change_in_the_admin(root, housing, 4)

    page = client_for(erin).get(HISTORY)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Changed timescale: Housing / Green" in html
    assert "by Ruth Root" in html
    assert "First contact within</th><td>10</td><td>4</td>" in html


def test_a_timescale_changed_through_code_records_its_actor(erin, housing):
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    with audit_actor(erin):
        green.review_days = 20
        green.save()

    html = client_for(erin).get(HISTORY).content.decode()

    assert "Reassess every</th><td>—</td><td>20</td>" in html
    assert "by Erin Evans" in html


def test_a_schedule_change_shows_the_times_in_plain_words(erin):
    _change_the_digest(erin, time(9, 30))

    html = client_for(erin).get(HISTORY, {"section": "schedules"}).content.decode()

    assert "Changed schedule: Daily notification digest email" in html
    assert "When it runs</th><td>Every day at 08:00</td><td>Every day at 09:30</td>" in html
    assert "Added schedule time" not in html  # the row made for 09:30 is no change of its own


def test_the_page_can_be_narrowed_to_a_section_and_a_person(root, erin, carol, housing):
    _change_in_the_admin(root, housing, 4)
    _change_the_digest(carol, time(9, 30))
    as_erin = client_for(erin)

    schedules = as_erin.get(HISTORY, {"section": "schedules"}).content.decode()
    by_erin = as_erin.get(HISTORY, {"person": root.pk}).content.decode()

    assert "Daily notification digest" in schedules
    assert "Housing / Green" not in schedules
    assert "Housing / Green" in by_erin
    assert "Daily notification digest" not in by_erin


def test_no_client_data_is_listed(root, erin, alice, housing):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    client = case.client
    client.given_name = "Zebedee"
    client.save()
    _change_in_the_admin(root, housing, 4)

    html = client_for(erin).get(HISTORY).content.decode()

    assert "Housing / Green" in html
    for value in (client.given_name, client.family_name, case.reference, str(client)):
        assert value not in html
    assert "Changed client" not in html
    assert "Added case:" not in html


def test_a_persons_name_and_email_are_never_shown_only_that_they_changed(erin, alice):
    alice.email = "alice.secret@example.org"
    with audit_actor(erin):
        alice.save()

    html = client_for(erin).get(HISTORY, {"section": "people"}).content.decode()

    assert "alice.secret@example.org" not in html
    assert "(changed; not shown)" in html


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_people_without_the_admin_role_are_refused(request, who):
    assert client_for(request.getfixturevalue(who)).get(HISTORY).status_code == 403


def test_a_page_of_changes_costs_a_fixed_number_of_queries(
    root, erin, housing, django_assert_max_num_queries
):
    as_erin = client_for(erin)
    _change_in_the_admin(root, housing, 4)
    _change_the_digest(erin, time(9, 30))
    as_erin.get(HISTORY)  # content types cached, as in a running server
    with CaptureQueriesContext(connection) as few:
        as_erin.get(HISTORY)
    baseline = len(few.captured_queries)  # now: the next request clears the log
    assert baseline <= 20

    for days in range(5, 25):
        _change_in_the_admin(root, housing, days)
    for hour in range(2, 12):
        _change_the_digest(erin, time(hour, 0))
    with django_assert_max_num_queries(baseline):
        page = as_erin.get(HISTORY)
    assert page.status_code == 200
    assert "Page 1 of 2" in page.content.decode()
