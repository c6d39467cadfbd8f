"""Work asked of the worker from a web request: enqueued after the commit, never fatal.

An admin changing a timescale marks its cases' due dates stale and enqueues
the recompute; with the broker down the change still saves, and the next
sweep does the recompute from the database.
"""

import json
import logging

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from caseload.queue import enqueue
from priorities.models import Level, Timescale
from priorities.sweep import sweep_deadlines
from priorities.tasks import timescale_refresh_task
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:9/0"  # nothing listens on port 9


@pytest.fixture
def housing():
    case_type = CaseTypeFactory(name="Housing")
    for level in Level:
        Timescale.objects.create(case_type=case_type, level=level, first_contact_days=10)
    return case_type


def _change_green_first_contact(erin, housing, days: int):
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    return client_for(erin).post(
        reverse("admin:priorities_timescale_change", args=[green.pk]),
        {
            "case_type": housing.pk,
            "level": Level.GREEN,
            "first_contact_days": str(days),
            "approaching_mode": "default",
        },
    )


def test_a_changed_timescale_is_recomputed_by_the_worker_task_once(
    erin, alice, housing, django_capture_on_commit_callbacks
):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    before = case.first_contact_due_on
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queued = broker.llen("celery")
    with django_capture_on_commit_callbacks(execute=True):
        response = _change_green_first_contact(erin, housing, 2)
    assert response.status_code == 302
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    assert green.due_dates_stale
    # The message on the queue names the task and carries the timescale's id only.
    message = json.loads(broker.lindex("celery", 0))
    assert broker.llen("celery") == queued + 1
    assert message["headers"]["task"] == "priorities.tasks.timescale_refresh_task"
    assert message["headers"]["argsrepr"] == f"({green.pk},)"
    broker.lpop("celery")

    assert timescale_refresh_task.apply(args=[green.pk]).get() == 1
    assert timescale_refresh_task.apply(args=[green.pk]).get() == 0  # a duplicate delivery
    case.refresh_from_db()
    assert case.first_contact_due_on < before
    assert not Timescale.objects.get(pk=green.pk).due_dates_stale


def test_with_the_broker_down_the_change_saves_and_the_next_sweep_recomputes(
    erin, alice, housing, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = UNREACHABLE
    case = CaseFactory(assigned_to=alice, case_type=housing)
    before = case.first_contact_due_on
    with (
        caplog.at_level(logging.WARNING, logger="caseload.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _change_green_first_contact(erin, housing, 2)
    assert response.status_code == 302
    assert "Could not enqueue priorities.tasks.timescale_refresh_task" in caplog.text
    case.refresh_from_db()
    assert case.first_contact_due_on == before  # not yet: the worker never heard

    result = sweep_deadlines()

    assert result.refreshed == 1
    case.refresh_from_db()
    assert case.first_contact_due_on < before
    assert not Timescale.objects.filter(due_dates_stale=True).exists()


def test_nothing_is_enqueued_when_the_transaction_rolls_back(
    erin, housing, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from caseload.queue import enqueue_on_commit

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                enqueue_on_commit(timescale_refresh_task, 1)
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert callbacks == []


def test_enqueue_says_false_rather_than_raising_when_the_broker_is_unreachable(settings):
    settings.CELERY_BROKER_URL = UNREACHABLE
    assert enqueue(timescale_refresh_task, 1) is False


def test_closing_the_office_for_a_day_marks_every_timescale_stale(
    erin, housing, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_BROKER_URL = UNREACHABLE
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(erin).post(
            reverse("admin:priorities_closureday_add"),
            {"day": "24/12/2026", "description": "Office closed"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Timescale.objects.filter(due_dates_stale=True).count() == 3
