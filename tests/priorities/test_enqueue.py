"""Work asked of the worker from a web request: queued in the database, sent by the worker.

An admin changing a timescale marks its cases' due dates stale and queues
the recompute as a row; the worker's dispatcher sends it to the broker. The
request never talks to the broker; with the broker down the row waits, and
the next sweep does the recompute from the database anyway.
"""

import json
import logging

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from caseload.models import QueuedTask
from caseload.queue import enqueue, enqueue_later, queued_tasks_dispatch
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


def _change_green_first_contact(person, housing, days: int):
    """A change in the emergency admin site, which only a superuser may use."""
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    return client_for(person).post(
        reverse("admin:priorities_timescale_change", args=[green.pk]),
        {
            "case_type": housing.pk,
            "level": Level.GREEN,
            "first_contact_days": str(days),
            "approaching_mode": "default",
        },
    )


def test_a_changed_timescale_is_queued_and_the_dispatcher_sends_the_recompute_once(
    root, erin, alice, housing, django_capture_on_commit_callbacks
):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    before = case.first_contact_due_on
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queued = broker.llen("celery")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _change_green_first_contact(root, housing, 2)
    assert response.status_code == 302
    assert callbacks == []  # nothing waits for the commit to talk to the broker
    assert broker.llen("celery") == queued
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    assert green.due_dates_stale
    (row,) = QueuedTask.objects.all()
    assert (row.task, row.args) == ("priorities.tasks.timescale_refresh_task", [green.pk])

    assert queued_tasks_dispatch() == 1
    assert queued_tasks_dispatch() == 0

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


def test_with_the_broker_down_the_change_saves_and_the_task_waits_in_the_database(
    root, erin, alice, housing, settings, caplog
):
    settings.CELERY_BROKER_URL = UNREACHABLE
    case = CaseFactory(assigned_to=alice, case_type=housing)
    before = case.first_contact_due_on
    response = _change_green_first_contact(root, housing, 2)
    assert response.status_code == 302
    with caplog.at_level(logging.WARNING, logger="caseload.queue"):
        assert queued_tasks_dispatch() == 0
    assert "Could not enqueue priorities.tasks.timescale_refresh_task" in caplog.text
    row = QueuedTask.objects.get()
    assert (row.status, row.attempts) == (QueuedTask.Status.PENDING, 1)
    case.refresh_from_db()
    assert case.first_contact_due_on == before  # not yet: the worker never heard

    result = sweep_deadlines()

    assert result.refreshed == 1
    case.refresh_from_db()
    assert case.first_contact_due_on < before
    assert not Timescale.objects.filter(due_dates_stale=True).exists()


def test_nothing_is_queued_when_the_transaction_rolls_back(housing):
    from django.db import transaction

    try:
        with transaction.atomic():
            enqueue_later(timescale_refresh_task, 1)
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    assert not QueuedTask.objects.exists()


def test_asking_twice_for_the_same_task_while_it_waits_queues_it_once():
    enqueue_later(timescale_refresh_task, 1)
    enqueue_later(timescale_refresh_task, 1)
    enqueue_later(timescale_refresh_task, 2)

    assert sorted(QueuedTask.objects.values_list("args", flat=True)) == [[1], [2]]


def test_queued_tasks_take_integer_ids_only():
    with pytest.raises(TypeError):
        enqueue_later(timescale_refresh_task, "Ada Lovelace")  # type: ignore[arg-type]


def test_enqueue_says_false_rather_than_raising_when_the_broker_is_unreachable(settings):
    settings.CELERY_BROKER_URL = UNREACHABLE
    assert enqueue(timescale_refresh_task, 1) is False


def test_closing_the_office_for_a_day_marks_every_timescale_stale(root, housing, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE
    response = client_for(root).post(
        reverse("admin:priorities_closureday_add"),
        {"day": "24/12/2026", "description": "Office closed"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Timescale.objects.filter(due_dates_stale=True).count() == 3
    assert QueuedTask.objects.count() == 3
